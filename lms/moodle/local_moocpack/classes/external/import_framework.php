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
use core_external\external_function_parameters;
use core_external\external_single_structure;
use core_external\external_value;
use local_moocpack\framework_sync;

/**
 * Imports a competency framework from CSV, or keeps an imported one in step.
 *
 * @package    local_moocpack
 * @copyright  2026 moocpack
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class import_framework extends external_api {

    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'csv' => new external_value(PARAM_RAW, 'The framework in tool_lpimportcsv\'s CSV layout (UTF-8).'),
            'update' => new external_value(PARAM_BOOL,
                'When a framework with the same idnumber exists: true updates it in place, false leaves it.',
                VALUE_DEFAULT, false),
        ]);
    }

    /**
     * Imports, updates or skips the framework.
     *
     * @param string $csv
     * @param bool $update
     * @return array
     */
    public static function execute(string $csv, bool $update = false): array {
        ['csv' => $csv, 'update' => $update] = self::validate_parameters(self::execute_parameters(),
            ['csv' => $csv, 'update' => $update]);
        $context = \context_system::instance();
        self::validate_context($context);
        require_capability('local/moocpack:publish', $context);
        require_capability('moodle/competency:competencymanage', $context);

        $sync = new framework_sync($csv);
        $existing = competency_framework::get_record(['idnumber' => $sync->idnumber()]);
        $counts = ['created' => 0, 'updated' => 0];
        if (!$existing) {
            $existing = $sync->import();
            $action = 'created';
            $counts['created'] = competency::count_records(['competencyframeworkid' => $existing->get('id')]);
        } else if ($update) {
            $counts = $sync->update($existing);
            $action = 'updated';
        } else {
            $action = 'skipped';
        }
        return [
            'idnumber' => $existing->get('idnumber'),
            'frameworkid' => $existing->get('id'),
            'action' => $action,
            'competencies' => competency::count_records(['competencyframeworkid' => $existing->get('id')]),
            'created' => $counts['created'],
            'updated' => $counts['updated'],
        ];
    }

    /**
     * What comes back.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'idnumber' => new external_value(PARAM_RAW, 'The framework\'s idnumber.'),
            'frameworkid' => new external_value(PARAM_INT, 'The framework\'s id on this site.'),
            'action' => new external_value(PARAM_ALPHA, 'created, updated or skipped.'),
            'competencies' => new external_value(PARAM_INT, 'Competencies the framework holds now.'),
            'created' => new external_value(PARAM_INT, 'Competencies created by this call.'),
            'updated' => new external_value(PARAM_INT, 'Competencies whose name or description changed.'),
        ]);
    }
}
