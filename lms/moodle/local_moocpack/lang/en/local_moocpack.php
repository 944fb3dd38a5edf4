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
 * Strings of local_moocpack.
 *
 * @package    local_moocpack
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['backupnotfound'] = 'No course backup in draft area {$a}: upload exactly one .mbz file with webservice/upload.php first.';
$string['courseexists'] = 'A course with idnumber "{$a}" already exists; publish with update to replace its content.';
$string['frameworkinvalid'] = 'The competency framework CSV cannot be imported: {$a}';
$string['moocpack:publish'] = 'Publish courses and competency frameworks with moocpack';
$string['pluginname'] = 'moocpack publishing';
$string['privacy:metadata'] = 'The moocpack publishing plugin stores no personal data; restored courses are ordinary courses.';
$string['restorefailed'] = 'The course backup could not be restored: {$a}';
