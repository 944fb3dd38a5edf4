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
 * The course with an idnumber: where it is and what it holds.
 *
 * @package    local_moocpack
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class course_status extends external_api {

    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'idnumber' => new external_value(PARAM_RAW, 'The course\'s idnumber.'),
            'categoryid' => new external_value(PARAM_INT, 'The category a new course would go into.', VALUE_DEFAULT, 0),
            'frameworks' => new external_value(PARAM_BOOL, 'Whether the publish imports frameworks too.',
                VALUE_DEFAULT, false),
        ]);
    }

    /**
     * Describes the course.
     *
     * @param string $idnumber
     * @return array found, and the course's fields when found.
     */
    public static function execute(string $idnumber, int $categoryid = 0, bool $frameworks = false): array {
        global $DB, $USER;
        $params = self::validate_parameters(self::execute_parameters(),
            ['idnumber' => $idnumber, 'categoryid' => $categoryid, 'frameworks' => $frameworks]);
        $system = \context_system::instance();
        self::validate_context($system);
        $course = $DB->get_record('course', ['idnumber' => clean_param($params['idnumber'], PARAM_TEXT)]);
        // Every capability the publish of this course will need, asked before anything changes.
        $missing = access::missing((int) $USER->id, $course ?: null, $params['categoryid'], $params['frameworks']);
        if (!$course) {
            require_capability('local/moocpack:publish', $system);
            return ['found' => false, 'missing' => $missing];
        }
        require_capability('local/moocpack:publish', \context_coursecat::instance($course->category));
        return ['found' => true, 'missing' => $missing] + course_restorer::describe($course);
    }

    /**
     * The fields that describe a course, shared with restore_course.
     *
     * @param int $required VALUE_REQUIRED, or VALUE_OPTIONAL where the course may not exist.
     * @return array
     */
    public static function course_fields(int $required = VALUE_REQUIRED): array {
        return [
            'courseid' => new external_value(PARAM_INT, 'Course id.', $required),
            'url' => new external_value(PARAM_URL, 'The course page.', $required),
            'fullname' => new external_value(PARAM_RAW, 'Full name.', $required),
            'shortname' => new external_value(PARAM_RAW, 'Short name.', $required),
            'idnumber' => new external_value(PARAM_RAW, 'idnumber.', $required),
            'activities' => new external_value(PARAM_INT, 'Activities in the course.', $required),
            'quizzes' => new external_value(PARAM_INT, 'Quizzes in the course.', $required),
            'course_competencies' => new external_value(PARAM_INT, 'Competencies linked to the course.', $required),
            'activity_competencies' => new external_value(PARAM_INT, 'Competency links of its activities.', $required),
        ];
    }

    /**
     * What comes back.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure(['found' => new external_value(PARAM_BOOL, 'Whether the course exists.'),
            'missing' => new external_multiple_structure(new external_value(PARAM_RAW,
                'A capability the publish needs and the user lacks, with where.'))]
            + self::course_fields(VALUE_OPTIONAL));
    }
}
