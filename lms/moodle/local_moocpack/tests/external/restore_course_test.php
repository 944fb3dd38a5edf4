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

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->dirroot . '/backup/util/includes/backup_includes.php');

/**
 * Tests of local_moocpack_restore_course and local_moocpack_course_status.
 *
 * @package    local_moocpack
 * @category   test
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \local_moocpack\external\restore_course
 * @covers     \local_moocpack\external\course_status
 * @covers     \local_moocpack\course_restorer
 */
final class restore_course_test extends \advanced_testcase {

    /**
     * A backup of a course with one page and one quiz, put into the admin's draft area.
     *
     * @param string $pagename Name of the page in the backed-up course.
     * @return int The draft item id.
     */
    private function upload_backup(string $pagename): int {
        global $USER, $CFG;
        $generator = $this->getDataGenerator();
        $source = $generator->create_course(['fullname' => 'Source course']);
        $generator->create_module('page', ['course' => $source->id, 'name' => $pagename]);
        $generator->create_module('quiz', ['course' => $source->id]);
        $bc = new \backup_controller(\backup::TYPE_1COURSE, $source->id, \backup::FORMAT_MOODLE,
            \backup::INTERACTIVE_NO, \backup::MODE_GENERAL, $USER->id);
        $bc->get_plan()->get_setting('users')->set_value(false);
        $bc->execute_plan();
        $file = $bc->get_results()['backup_destination'];
        $bc->destroy();
        $draftitemid = file_get_unused_draft_itemid();
        get_file_storage()->create_file_from_storedfile([
            'contextid' => \context_user::instance($USER->id)->id, 'component' => 'user', 'filearea' => 'draft',
            'itemid' => $draftitemid, 'filepath' => '/', 'filename' => 'course.mbz'], $file);
        return $draftitemid;
    }

    /**
     * Calls restore_course as the web service layer does.
     *
     * @param int $draftitemid
     * @param int $categoryid
     * @param bool $update
     * @return array
     */
    private static function restore(int $draftitemid, int $categoryid, bool $update): array {
        $result = restore_course::execute($draftitemid, $categoryid, 'moocpack:test:en', $update);
        return external_api::clean_returnvalue(restore_course::execute_returns(), $result);
    }

    public function test_a_backup_becomes_a_new_course_with_the_idnumber(): void {
        global $DB;
        $this->resetAfterTest();
        $this->setAdminUser();
        $category = $this->getDataGenerator()->create_category();
        $result = self::restore($this->upload_backup('Welcome'), $category->id, false);

        $this->assertTrue($result['created']);
        $this->assertSame('moocpack:test:en', $result['idnumber']);
        $this->assertSame(1, $result['quizzes']);
        $this->assertEquals($category->id, $DB->get_field('course', 'category', ['id' => $result['courseid']]));
        $status = external_api::clean_returnvalue(course_status::execute_returns(),
            course_status::execute('moocpack:test:en'));
        $this->assertTrue($status['found']);
        $this->assertSame($result['courseid'], $status['courseid']);
    }

    public function test_publishing_again_without_update_is_refused(): void {
        $this->resetAfterTest();
        $this->setAdminUser();
        $category = $this->getDataGenerator()->create_category();
        self::restore($this->upload_backup('Welcome'), $category->id, false);
        $this->expectException(\moodle_exception::class);
        $this->expectExceptionMessage('already exists');
        self::restore($this->upload_backup('Welcome'), $category->id, false);
    }

    public function test_update_replaces_the_content_and_keeps_the_learners(): void {
        global $DB;
        $this->resetAfterTest();
        $this->setAdminUser();
        $category = $this->getDataGenerator()->create_category();
        $first = self::restore($this->upload_backup('Welcome'), $category->id, false);
        $student = $this->getDataGenerator()->create_and_enrol(get_course($first['courseid']), 'student');

        $second = self::restore($this->upload_backup('Welcome back'), $category->id, true);
        $this->assertFalse($second['created']);
        $this->assertSame($first['courseid'], $second['courseid']);
        $this->assertSame(1, $DB->count_records('course', ['idnumber' => 'moocpack:test:en']));
        $pages = $DB->get_fieldset_select('page', 'name', 'course = ?', [$second['courseid']]);
        $this->assertSame(['Welcome back'], array_values($pages));
        $this->assertTrue(is_enrolled(\context_course::instance($second['courseid']), $student));
    }

    public function test_an_empty_draft_area_is_a_clear_error(): void {
        $this->resetAfterTest();
        $this->setAdminUser();
        $category = $this->getDataGenerator()->create_category();
        $this->expectException(\moodle_exception::class);
        $this->expectExceptionMessage('No course backup');
        self::restore(file_get_unused_draft_itemid(), $category->id, false);
    }

    public function test_a_user_without_the_capability_is_refused(): void {
        $this->resetAfterTest();
        $category = $this->getDataGenerator()->create_category();
        $this->setUser($this->getDataGenerator()->create_user());
        $this->expectException(\required_capability_exception::class);
        self::restore(1, $category->id, false);
    }
}
