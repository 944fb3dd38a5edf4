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

/**
 * What publishing needs of the user, in the contexts where Moodle checks it, and the one thing
 * publishing grants: the site's restorer role in a course it has just created.
 *
 * Restoring a backup into a new course checks capabilities in that course (restore_check: restore,
 * configure, the course's names and settings; restore_dbops: the question bank). A user whose site
 * role lets it create courses has none of them in a course that did not exist a moment ago, so,
 * as Moodle's own restore does after the fact (restore_fix_restorer_access_step) and course
 * creation does before (course/edit.php, creatornewroleid), the publisher is given the role set as
 * "Restorers' role in courses" ($CFG->restorernewroleid) in the new course, before the restore.
 *
 * @package    local_moocpack
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class access {

    /** Checked in the category of a new course (restore_course, course creation). */
    const NEW_COURSE = ['local/moocpack:publish', 'moodle/restore:restorecourse', 'moodle/course:create'];

    /** Checked in the course a backup is restored into. */
    const COURSE = ['moodle/restore:restorecourse', 'moodle/restore:configure', 'moodle/course:update',
        'moodle/course:changefullname', 'moodle/course:changeshortname', 'moodle/question:add',
        'moodle/question:managecategory'];

    /** Checked at site level by the framework import. */
    const FRAMEWORKS = ['local/moocpack:publish', 'moodle/competency:competencymanage'];

    /**
     * Every capability a publish lacks, each as "capability (where)", before anything changes.
     *
     * @param int $userid
     * @param \stdClass|null $course The course that will be updated, or null for a new one.
     * @param int $categoryid The category of a new course.
     * @param bool $frameworks Whether frameworks will be imported.
     * @return string[]
     */
    public static function missing(int $userid, ?\stdClass $course, int $categoryid, bool $frameworks): array {
        $missing = [];
        if ($frameworks) {
            foreach (self::FRAMEWORKS as $capability) {
                if (!has_capability($capability, \context_system::instance(), $userid)) {
                    $missing[] = "$capability (site)";
                }
            }
        }
        if ($course) {
            $context = \context_course::instance($course->id);
            if (!has_capability('local/moocpack:publish', \context_coursecat::instance($course->category), $userid)) {
                $missing[] = 'local/moocpack:publish (the course\'s category)';
            }
            foreach (self::COURSE as $capability) {
                if (!has_capability($capability, $context, $userid)) {
                    $missing[] = "$capability (the course {$course->shortname})";
                }
            }
            return $missing;
        }
        if ($categoryid <= 0 || !\core_course_category::get($categoryid, IGNORE_MISSING, true)) {
            return $missing;  // restore_course says what is wrong with the category
        }
        $context = \context_coursecat::instance($categoryid);
        foreach (self::NEW_COURSE as $capability) {
            if (!has_capability($capability, $context, $userid)) {
                $missing[] = "$capability (category $categoryid)";
            }
        }
        $granted = self::restorer_role_capabilities();
        foreach (self::COURSE as $capability) {
            if (!has_capability($capability, $context, $userid) && !in_array($capability, $granted, true)) {
                $missing[] = "$capability (the new course: allow it for the site's Restorers' role in courses, "
                    . "or for the user's role in category $categoryid)";
            }
        }
        return $missing;
    }

    /**
     * Gives the user the restorer role in a course publishing has just created, if the user cannot
     * restore into it otherwise.
     *
     * @param int $courseid
     * @param int $userid
     */
    public static function let_restore(int $courseid, int $userid): void {
        global $CFG;
        $context = \context_course::instance($courseid);
        foreach (self::COURSE as $capability) {
            if (!has_capability($capability, $context, $userid)) {
                if (!empty($CFG->restorernewroleid)) {
                    role_assign($CFG->restorernewroleid, $userid, $context);
                }
                return;
            }
        }
    }

    /**
     * The capabilities the restorer role allows at site level (its definition).
     *
     * @return string[]
     */
    private static function restorer_role_capabilities(): array {
        global $CFG, $DB;
        if (empty($CFG->restorernewroleid)) {
            return [];
        }
        return $DB->get_fieldset_select('role_capabilities', 'capability', 'roleid = ? AND contextid = ? AND permission = ?',
            [$CFG->restorernewroleid, SYSCONTEXTID, CAP_ALLOW]);
    }
}
