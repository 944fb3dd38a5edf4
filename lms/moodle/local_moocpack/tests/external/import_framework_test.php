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

use core_competency\competency;
use core_competency\competency_framework;
use core_external\external_api;

/**
 * Tests of local_moocpack_import_framework.
 *
 * @package    local_moocpack
 * @category   test
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \local_moocpack\external\import_framework
 * @covers     \local_moocpack\framework_sync
 */
final class import_framework_test extends \advanced_testcase {

    /**
     * A framework CSV in tool_lpimportcsv's layout.
     *
     * @param string $itemname Short name of the second item.
     * @param bool $extra Whether a third item is in the file.
     * @return string
     */
    private static function csv(string $itemname = 'Listens', bool $extra = false): string {
        $rows = [
            ['Parent ID number', 'ID number', 'Short name', 'Description', 'Description format', 'Scale values',
                'Scale configuration', 'Rule type (optional)', 'Rule outcome (optional)', 'Rule config (optional)',
                'Cross-referenced competency ID numbers', 'Exported ID (optional)', 'Is framework', 'Taxonomy'],
            ['', 'fw.test', 'Test framework', 'For tests', '1', 'Not yet,Competent',
                '[{"scaleid":"0"},{"id":1,"scaledefault":1,"proficient":0},{"id":2,"scaledefault":0,"proficient":1}]',
                '', '', '', '', '', '1', 'competency,competency'],
            ['', 'fw.test.01', 'Relationship', '', '1', '', '', '', '', '', '', '', '', ''],
            ['fw.test.01', 'fw.test.01.1', $itemname, 'Hears the person out', '1', '', '', '', '', '', '', '', '', ''],
        ];
        if ($extra) {
            $rows[] = ['fw.test.01', 'fw.test.01.2', 'Empowers', '', '1', '', '', '', '', '', '', '', '', ''];
        }
        $out = fopen('php://memory', 'w+');
        foreach ($rows as $row) {
            fputcsv($out, $row);
        }
        rewind($out);
        return stream_get_contents($out);
    }

    /**
     * Calls the function as the web service layer does.
     *
     * @param string $csv
     * @param bool $update
     * @return array
     */
    private static function call(string $csv, bool $update): array {
        $result = import_framework::execute($csv, $update);
        return external_api::clean_returnvalue(import_framework::execute_returns(), $result);
    }

    public function test_first_import_creates_the_framework_and_a_second_skips_it(): void {
        $this->resetAfterTest();
        $this->setAdminUser();
        $first = self::call(self::csv(), false);
        $this->assertSame('created', $first['action']);
        $this->assertSame('fw.test', $first['idnumber']);
        $this->assertSame(2, $first['competencies']);

        $second = self::call(self::csv('Renamed'), false);
        $this->assertSame('skipped', $second['action']);
        $this->assertSame(1, competency_framework::count_records(['idnumber' => 'fw.test']));
        $this->assertSame('Listens', competency::get_record(['idnumber' => 'fw.test.01.1'])->get('shortname'));
    }

    public function test_update_renames_and_adds_in_place(): void {
        $this->resetAfterTest();
        $this->setAdminUser();
        $first = self::call(self::csv(), false);
        $id = competency::get_record(['idnumber' => 'fw.test.01.1'])->get('id');

        $result = self::call(self::csv('Listens actively', true), true);
        $this->assertSame('updated', $result['action']);
        $this->assertSame($first['frameworkid'], $result['frameworkid']);
        $this->assertSame(1, $result['created']);
        $this->assertSame(1, $result['updated']);
        $this->assertSame(3, $result['competencies']);
        $renamed = competency::get_record(['idnumber' => 'fw.test.01.1']);
        $this->assertEquals($id, $renamed->get('id'));
        $this->assertSame('Listens actively', $renamed->get('shortname'));
        $parent = competency::get_record(['idnumber' => 'fw.test.01']);
        $this->assertEquals($parent->get('id'), competency::get_record(['idnumber' => 'fw.test.01.2'])->get('parentid'));
    }

    public function test_a_file_that_is_not_a_framework_is_refused(): void {
        $this->resetAfterTest();
        $this->setAdminUser();
        $this->expectException(\moodle_exception::class);
        self::call("just,some\ncells,here\n", false);
    }

    public function test_a_user_without_the_capability_is_refused(): void {
        $this->resetAfterTest();
        $this->setUser($this->getDataGenerator()->create_user());
        $this->expectException(\required_capability_exception::class);
        self::call(self::csv(), false);
    }
}
