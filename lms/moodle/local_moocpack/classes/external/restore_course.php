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

namespace local_moocpack\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_multiple_structure;
use core_external\external_single_structure;
use core_external\external_value;
use local_moocpack\access;
use local_moocpack\course_restorer;

/**
 * Restores an uploaded course backup: a new course, or new content for the course with the
 * same idnumber.
 *
 * @package    local_moocpack
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class restore_course extends external_api {

    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'draftitemid' => new external_value(PARAM_INT, 'Draft area holding the .mbz (from webservice/upload.php).'),
            'categoryid' => new external_value(PARAM_INT, 'Category of a new course (not needed to update one).',
                VALUE_DEFAULT, 0),
            'idnumber' => new external_value(PARAM_RAW, 'The course\'s idnumber: how a later publish finds it.'),
            'update' => new external_value(PARAM_BOOL,
                'When a course with this idnumber exists: true replaces its content (enrolments kept), false fails.',
                VALUE_DEFAULT, false),
        ]);
    }

    /**
     * Restores the backup.
     *
     * @param int $draftitemid
     * @param int $categoryid
     * @param string $idnumber
     * @param bool $update
     * @return array
     */
    public static function execute(int $draftitemid, int $categoryid = 0, string $idnumber = '',
            bool $update = false): array {
        global $DB, $USER;
        $params = self::validate_parameters(self::execute_parameters(),
            ['draftitemid' => $draftitemid, 'categoryid' => $categoryid, 'idnumber' => $idnumber, 'update' => $update]);
        $idnumber = clean_param($params['idnumber'], PARAM_TEXT);
        if ($idnumber === '' || \core_text::strlen($idnumber) > 100) {
            throw new \invalid_parameter_exception('idnumber must have 1 to 100 characters');
        }
        $existing = $DB->get_record('course', ['idnumber' => $idnumber]);
        if ($existing && !$params['update']) {
            throw new \moodle_exception('courseexists', 'local_moocpack', '', $idnumber);
        }
        if (!$existing && $params['categoryid'] <= 0) {
            throw new \invalid_parameter_exception('categoryid is needed for a new course');
        }
        // An update stays where the course is; a new course goes into the category asked for.
        $category = \core_course_category::get($existing ? $existing->category : $params['categoryid']);
        $context = \context_coursecat::instance($category->id);
        self::validate_context($context);
        require_capability('local/moocpack:publish', $context);
        $missing = access::missing((int) $USER->id, $existing ?: null, (int) $category->id, false);
        if ($missing) {
            throw new \moodle_exception('nopermissions', 'error', '', 'publish this course: ' . implode(', ', $missing));
        }

        $fs = get_file_storage();
        $usercontext = \context_user::instance($USER->id);
        $files = $fs->get_area_files($usercontext->id, 'user', 'draft', $params['draftitemid'], 'id', false);
        if (count($files) !== 1) {
            throw new \moodle_exception('backupnotfound', 'local_moocpack', '', $params['draftitemid']);
        }
        try {
            $result = course_restorer::restore(reset($files), $category->id, $idnumber,
                $existing ? (int) $existing->id : null, (int) $USER->id);
        } finally {
            $fs->delete_area_files($usercontext->id, 'user', 'draft', $params['draftitemid']);
        }
        $course = get_course($result['courseid']);
        return course_restorer::describe($course) + ['created' => $result['created'], 'warnings' => $result['warnings']];
    }

    /**
     * What comes back.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure(course_status::course_fields() + [
            'created' => new external_value(PARAM_BOOL, 'True for a new course, false when its content was replaced.'),
            'warnings' => new external_multiple_structure(new external_value(PARAM_RAW, 'A restore warning.')),
        ]);
    }
}
