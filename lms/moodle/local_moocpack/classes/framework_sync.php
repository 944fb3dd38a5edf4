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

use core_competency\api;
use core_competency\competency;
use core_competency\competency_framework;

/**
 * A competency framework CSV (tool_lpimportcsv's layout) imported once, then kept in step.
 *
 * The first import is tool_lpimportcsv's own. Importing again must not make a second framework,
 * and courses link competencies by idnumber, so an update changes names and descriptions in
 * place and adds competencies that are new; it never deletes one (course links would be lost).
 *
 * @package    local_moocpack
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class framework_sync extends \tool_lpimportcsv\framework_importer {

    /**
     * Parses the CSV; throws if it is not a framework tool_lpimportcsv can read.
     *
     * @param string $csv The file's content.
     */
    public function __construct(string $csv) {
        parent::__construct($csv, 'UTF-8', 'comma');
        if ($this->get_error()) {
            throw new \moodle_exception('frameworkinvalid', 'local_moocpack', '', $this->get_error());
        }
    }

    /**
     * The framework's idnumber, as it will be stored.
     *
     * @return string
     */
    public function idnumber(): string {
        return $this->framework->idnumber;
    }

    /**
     * How many competencies the file holds.
     *
     * @return int
     */
    public function size(): int {
        return count($this->flat);
    }

    /**
     * Brings an existing framework in line with the file.
     *
     * @param competency_framework $framework The framework with the file's idnumber.
     * @return array Counts: created, updated.
     */
    public function update(competency_framework $framework): array {
        $counts = ['created' => 0, 'updated' => 0];
        $this->framework->description = self::stored($this->framework->description);
        $record = $framework->to_record();
        if ($record->shortname !== $this->framework->shortname
                || (string) $record->description !== (string) $this->framework->description) {
            $record->shortname = $this->framework->shortname;
            $record->description = $this->framework->description;
            $record->descriptionformat = $this->framework->descriptionformat;
            api::update_framework($record);
        }
        foreach ($this->framework->children as $child) {
            $this->sync_competency($child, 0, $framework, $counts);
        }
        $this->importer->cleanup();
        return $counts;
    }

    /**
     * One competency and, below it, its children.
     *
     * @param \stdClass $row The competency as parsed from the file.
     * @param int $parentid Its parent's id, 0 at the top.
     * @param competency_framework $framework
     * @param array $counts Updated in place.
     */
    protected function sync_competency(\stdClass $row, int $parentid, competency_framework $framework, array &$counts): void {
        if ($row->idnumber === '' || $row->shortname === '') {
            return;
        }
        $row->description = self::stored($row->description);
        $existing = competency::get_record(['idnumber' => $row->idnumber,
            'competencyframeworkid' => $framework->get('id')]);
        if (!$existing) {
            $record = (object) ['competencyframeworkid' => $framework->get('id'), 'parentid' => $parentid,
                'idnumber' => $row->idnumber, 'shortname' => $row->shortname,
                'description' => $row->description, 'descriptionformat' => $row->descriptionformat];
            $existing = api::create_competency($record);
            $counts['created']++;
        } else if ($existing->get('shortname') !== $row->shortname
                || (string) $existing->get('description') !== (string) $row->description) {
            $record = $existing->to_record();
            $record->shortname = $row->shortname;
            $record->description = $row->description;
            $record->descriptionformat = $row->descriptionformat;
            api::update_competency($record);
            $counts['updated']++;
        }
        foreach ($row->children as $child) {
            $this->sync_competency($child, $existing->get('id'), $framework, $counts);
        }
    }

    /**
     * A description as Moodle stores it (cleaned HTML: entities such as &#x27; become characters),
     * so that an unchanged file compares equal to what its first import stored.
     *
     * @param string|null $html
     * @return string
     */
    protected static function stored(?string $html): string {
        return clean_param((string) $html, PARAM_CLEANHTML);
    }
}
