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

/**
 * Web-service functions and the "moocpack publishing" service.
 *
 * @package    local_moocpack
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$functions = [
    'local_moocpack_import_framework' => [
        'classname' => 'local_moocpack\external\import_framework',
        'methodname' => 'execute',
        'description' => 'Import a competency framework from CSV in the layout of tool_lpimportcsv; '
            . 'skip it, or update it, when a framework with its idnumber exists.',
        'type' => 'write',
        'capabilities' => 'local/moocpack:publish, moodle/competency:competencymanage',
    ],
    'local_moocpack_restore_course' => [
        'classname' => 'local_moocpack\external\restore_course',
        'methodname' => 'execute',
        'description' => 'Restore a course backup (.mbz) from the user\'s draft area as a new course in a category, '
            . 'or over the content of the course with the same idnumber, keeping its enrolments.',
        'type' => 'write',
        'capabilities' => 'local/moocpack:publish, moodle/restore:restorecourse, moodle/course:create',
    ],
    'local_moocpack_course_status' => [
        'classname' => 'local_moocpack\external\course_status',
        'methodname' => 'execute',
        'description' => 'The course with an idnumber: its id, address and what it holds.',
        'type' => 'read',
        'capabilities' => 'local/moocpack:publish',
    ],
];

$services = [
    'moocpack publishing' => [
        'shortname' => 'moocpack_publish',
        'functions' => [
            'core_webservice_get_site_info',
            'local_moocpack_import_framework',
            'local_moocpack_restore_course',
            'local_moocpack_course_status',
        ],
        // Backups reach Moodle through webservice/upload.php, which needs this.
        'uploadfiles' => 1,
        'downloadfiles' => 0,
        'restrictedusers' => 1,
        'enabled' => 1,
    ],
];
