<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

namespace local_moocpack;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->dirroot . '/backup/util/includes/restore_includes.php');
require_once($CFG->dirroot . '/course/lib.php');

/**
 * Restores a course backup as a new course, or over an existing course's content.
 *
 * Moodle keeps a course's idnumber from a backup only when the backup was made on the same site,
 * so the publisher's idnumber is set here after the restore: it is how the next publish of the
 * same course and language finds this course again.
 *
 * @package    local_moocpack
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class course_restorer {

    /**
     * Restores the backup.
     *
     * @param \stored_file $backup The .mbz file.
     * @param int $categoryid Category of a new course.
     * @param string $idnumber The course's idnumber.
     * @param int|null $courseid The course whose content is replaced, or null for a new course.
     * @param int $userid Who restores.
     * @return array courseid, created, warnings.
     */
    public static function restore(\stored_file $backup, int $categoryid, string $idnumber, ?int $courseid,
            int $userid): array {
        global $DB;
        $folder = \restore_controller::get_tempdir_name(SITEID, $userid);
        $path = make_backup_temp_directory($folder);
        if (!get_file_packer('application/vnd.moodle.backup')->extract_to_pathname($backup, $path)) {
            throw new \moodle_exception('restorefailed', 'local_moocpack', '', 'the file is not a Moodle backup');
        }
        $created = $courseid === null;
        if ($created) {
            [$fullname, $shortname] = \restore_dbops::calculate_course_names(0, get_string('restoringcourse', 'backup'),
                get_string('restoringcourseshortname', 'backup'));
            $courseid = \restore_dbops::create_new_course($fullname, $shortname, $categoryid);
            access::let_restore($courseid, $userid);
            $target = \backup::TARGET_NEW_COURSE;
        } else {
            $target = \backup::TARGET_EXISTING_DELETING;
        }
        $controller = new \restore_controller($folder, $courseid, \backup::INTERACTIVE_NO, \backup::MODE_GENERAL,
            $userid, $target);
        try {
            if (!$created) {
                // Learners stay enrolled, with their groups, while the content is replaced.
                $controller->get_plan()->get_setting('keep_roles_and_enrolments')->set_value(true);
                $controller->get_plan()->get_setting('keep_groups_and_groupings')->set_value(true);
            }
            // Temp tables dropped after the precheck: the plan then maps question banks again, after
            // the delete-content step; mapped before it, they point at categories the delete removes.
            $controller->execute_precheck(true);
            $results = $controller->get_precheck_results();
            if (!empty($results['errors'])) {
                throw new \moodle_exception('restorefailed', 'local_moocpack', '',
                    implode('; ', $results['errors'] ?? ['the precheck failed']));
            }
            $controller->execute_plan();
        } catch (\Throwable $e) {
            $controller->destroy();
            if ($created) {
                delete_course($courseid, false);
            }
            if ($e instanceof \moodle_exception && $e->errorcode === 'restorefailed') {
                throw $e;
            }
            throw new \moodle_exception('restorefailed', 'local_moocpack', '', $e->getMessage());
        }
        $warnings = array_values($results['warnings'] ?? []);
        foreach ($DB->get_records('backup_logs', ['backupid' => $controller->get_restoreid()], 'id') as $log) {
            if ($log->loglevel <= \backup::LOG_WARNING) {
                $warnings[] = $log->message;
            }
        }
        $controller->destroy();
        $DB->set_field('course', 'idnumber', $idnumber, ['id' => $courseid]);
        rebuild_course_cache($courseid, true);
        return ['courseid' => (int) $courseid, 'created' => $created, 'warnings' => $warnings];
    }

    /**
     * What a course holds, for the publisher's summary and tests.
     *
     * @param \stdClass $course
     * @return array
     */
    public static function describe(\stdClass $course): array {
        global $DB;
        $modinfo = get_fast_modinfo($course);
        $quizzes = 0;
        $activities = 0;
        foreach ($modinfo->get_cms() as $cm) {
            $activities++;
            $quizzes += $cm->modname === 'quiz' ? 1 : 0;
        }
        $links = $DB->count_records_sql('SELECT COUNT(1) FROM {competency_modulecomp} mc
            JOIN {course_modules} cm ON cm.id = mc.cmid WHERE cm.course = ?', [$course->id]);
        return [
            'courseid' => (int) $course->id,
            'url' => (new \moodle_url('/course/view.php', ['id' => $course->id]))->out(false),
            'fullname' => $course->fullname,
            'shortname' => $course->shortname,
            'idnumber' => $course->idnumber,
            'activities' => $activities,
            'quizzes' => $quizzes,
            'course_competencies' => $DB->count_records('competency_coursecomp', ['courseid' => $course->id]),
            'activity_competencies' => $links,
        ];
    }
}
