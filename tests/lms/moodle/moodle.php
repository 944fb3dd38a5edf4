<?php
// moocpack's real-Moodle test helper: runs Moodle's own code on a test site and prints JSON.
//
//   MOODLE_DIR=/site/moodle php tests/lms/moodle/moodle.php COMMAND ARGS…
//
//   import-framework FILE.csv      tool_lpimportcsv's importer (skips a framework already there)
//   restore FILE.mbz|FILE.imscc    restore_controller into a new course (a cartridge converted first); warnings, counts, names
//   quizzes COURSEID               every quiz answered right by one student, wrong by another
//   scorm COURSEID FILE.zip        a SCORM activity from the package, with a student enrolled
//   scorm-report SCORMID USERNAME  the student's tracks per SCO and the gradebook grade
//   delete-course COURSEID
//   ws-token USERNAME [manager|publisher|publisher-without CAPABILITY]
//                                 web services and REST on, the user (made if missing; a manager at site
//                                 level, or given the role the README documents, with exactly its
//                                 capabilities, or that role less one) authorised for 'moocpack publishing';
//                                 prints a new token
//   install-plugin FILE.zip       a plugin installed by Moodle's own install-from-zip code (the plugin
//                                 manager's validator and installer, as Site administration > Plugins >
//                                 Install plugins), then the site upgraded
//   course-by-idnumber IDNUMBER   how many courses have it, and what the first holds
//   delete-framework IDNUMBER
//   enrol USERNAME COURSEID       a student (made if missing) enrolled in the course
//
// Only for throw-away test sites made by setup.sh: it creates users and courses freely.

define('CLI_SCRIPT', true);
$moodle = getenv('MOODLE_DIR');
if (!$moodle || !is_file("$moodle/config.php")) {
    fwrite(STDERR, "MOODLE_DIR must point at an installed Moodle site (tests/lms/moodle/setup.sh)\n");
    exit(2);
}
require("$moodle/config.php");
require_once($CFG->dirroot . '/backup/util/includes/restore_includes.php');
require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->dirroot . '/course/modlib.php');
require_once($CFG->dirroot . '/mod/quiz/locallib.php');
require_once($CFG->dirroot . '/mod/scorm/locallib.php');
require_once($CFG->libdir . '/completionlib.php');
require_once($CFG->libdir . '/gradelib.php');
require_once($CFG->dirroot . '/enrol/manual/locallib.php');

if (getenv("MOODLE_TEST_DEBUG")) {
    set_debugging(DEBUG_DEVELOPER, true);
}
\core\session\manager::set_user(get_admin());
$command = $argv[1] ?? '';
$args = array_slice($argv, 2);

function out($value) {
    echo json_encode($value, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
}

function student(string $username, int $courseid) {
    global $DB, $CFG;
    $user = $DB->get_record('user', ['username' => $username]);
    if (!$user) {
        require_once($CFG->dirroot . '/user/lib.php');
        $id = user_create_user((object)['username' => $username, 'password' => 'Student-1234',
            'firstname' => $username, 'lastname' => 'Learner', 'email' => "$username@example.invalid",
            'auth' => 'manual', 'confirmed' => 1, 'mnethostid' => $CFG->mnet_localhost_id], true, false);
        $user = $DB->get_record('user', ['id' => $id]);
    }
    $enrol = enrol_get_plugin('manual');
    $instance = $DB->get_record('enrol', ['courseid' => $courseid, 'enrol' => 'manual'], '*', MUST_EXIST);
    $role = $DB->get_field('role', 'id', ['shortname' => 'student']);
    $enrol->enrol_user($instance, $user->id, $role);
    return $user;
}

switch ($command) {
case 'import-framework':
    $text = file_get_contents($args[0]);
    $rows = array_map('str_getcsv', explode("\n", trim($text)));
    $idnumber = null;
    foreach (array_slice($rows, 1) as $row) {
        if (($row[12] ?? '') === '1') { $idnumber = $row[1]; }
    }
    if ($DB->record_exists('competency_framework', ['idnumber' => $idnumber])) {
        out(['framework' => $idnumber, 'imported' => false]);
        break;
    }
    $importer = new \tool_lpimportcsv\framework_importer($text, 'UTF-8', 'comma');
    if ($importer->get_error()) {
        out(['framework' => $idnumber, 'error' => $importer->get_error()]);
        exit(1);
    }
    $framework = $importer->import();
    out(['framework' => $framework->get('idnumber'), 'imported' => true,
         'competencies' => $DB->count_records('competency', ['competencyframeworkid' => $framework->get('id')])]);
    break;

case 'restore':
    $file = $args[0];
    $dir = restore_controller::get_tempdir_name(SITEID, $USER->id);
    $path = make_backup_temp_directory($dir);
    // A .mbz is a tar.gz; an IMS Common Cartridge (.imscc) a zip, which the restore converts
    // (backup/converter/imscc11, backup/cc) before it restores, as the restore page does.
    $packer = str_ends_with($file, '.imscc') ? 'application/zip' : 'application/vnd.moodle.backup';
    get_file_packer($packer)->extract_to_pathname($file, $path);
    list($fullname, $shortname) = restore_dbops::calculate_course_names(0, 'restoring', 'restoring');
    $courseid = restore_dbops::create_new_course($fullname, $shortname, 1);
    $rc = new restore_controller($dir, $courseid, backup::INTERACTIVE_NO, backup::MODE_GENERAL,
        get_admin()->id, backup::TARGET_NEW_COURSE);
    if ($rc->get_status() == backup::STATUS_REQUIRE_CONV) {
        // backup/cc loads its sheets by paths relative to backup/, the working folder of the
        // restore page (backup/restore.php) that runs it on a site.
        $here = getcwd();
        chdir($CFG->dirroot . '/backup');
        $rc->convert();
        chdir($here);
    }
    $precheck = $rc->execute_precheck();
    $results = $rc->get_precheck_results();
    $rc->execute_plan();
    $logs = [];
    foreach ($DB->get_records('backup_logs', ['backupid' => $rc->get_restoreid()], 'id') as $log) {
        if ($log->loglevel <= backup::LOG_WARNING) {
            $logs[] = $log->message;
        }
    }
    $rc->destroy();
    $course = get_course($courseid);
    $context = context_course::instance($courseid);
    $modinfo = get_fast_modinfo($course);
    $modules = [];
    $hidden = 0;
    foreach ($modinfo->get_cms() as $cm) {
        $modules[$cm->modname] = ($modules[$cm->modname] ?? 0) + 1;
        $hidden += $cm->visible ? 0 : 1;
    }
    $questions = $DB->count_records_sql("SELECT COUNT(q.id) FROM {question} q
        JOIN {question_versions} qv ON qv.questionid = q.id
        JOIN {question_bank_entries} qbe ON qbe.id = qv.questionbankentryid
        JOIN {question_categories} qc ON qc.id = qbe.questioncategoryid
        WHERE qc.contextid IN (SELECT id FROM {context} WHERE path LIKE ?)", [$context->path . '%']);
    $sections = [];
    foreach ($modinfo->get_section_info_all() as $section) {
        $sections[] = $section->name;
    }
    // Files of the pages, as Moodle's file API serves them, and any a page names but lacks.
    $pagefiles = [];
    $missing = [];
    $fs = get_file_storage();
    foreach ($modinfo->get_instances_of('page') as $cm) {
        $stored = [];
        foreach ($fs->get_area_files($cm->context->id, 'mod_page', 'content', 0, 'filename', false) as $f) {
            $stored[$f->get_filename()] = $f->get_mimetype();
            $pagefiles[$f->get_filename()] = $f->get_mimetype();
        }
        $content = $DB->get_field('page', 'content', ['id' => $cm->instance]);
        preg_match_all('~@@PLUGINFILE@@/([^"\'?#]+)~', $content, $named);
        foreach ($named[1] as $name) {
            if (!isset($stored[rawurldecode($name)])) {
                $missing[] = $cm->name . ': ' . rawurldecode($name);
            }
        }
    }
    ksort($pagefiles);
    out(['courseid' => $courseid, 'page_files' => $pagefiles, 'missing_page_files' => $missing, 'fullname' => $course->fullname, 'shortname' => $course->shortname,
         'lang' => $course->lang, 'installed_languages' => array_keys(get_string_manager()->get_list_of_translations()),
         'precheck' => $results, 'log_warnings' => $logs,
         'modules' => $modules, 'hidden_modules' => $hidden, 'sections' => $sections, 'questions' => $questions,
         'course_competencies' => $DB->count_records('competency_coursecomp', ['courseid' => $courseid]),
         'module_competencies' => $DB->count_records_sql("SELECT COUNT(*) FROM {competency_modulecomp} mc
             JOIN {course_modules} cm ON cm.id = mc.cmid WHERE cm.course = ?", [$courseid]),
         'question_tags' => $DB->count_records_sql("SELECT COUNT(*) FROM {tag_instance} WHERE itemtype = 'question'
             AND contextid IN (SELECT id FROM {context} WHERE path LIKE ?)", [$context->path . '%'])]);
    break;

case 'quizzes':
    $courseid = (int)$args[0];
    $course = get_course($courseid);
    $results = [];
    foreach (get_all_instances_in_course('quiz', $course) as $quiz) {
        $cm = get_coursemodule_from_instance('quiz', $quiz->id, $courseid);
        $outcome = ['name' => $quiz->name, 'grade' => (float)$quiz->grade, 'sumgrades' => (float)$quiz->sumgrades];
        foreach (['right', 'wrong'] as $way) {
            $user = student("q{$way}{$quiz->id}", $courseid);
            \core\session\manager::set_user($user);
            $quizobj = \mod_quiz\quiz_settings::create($quiz->id, $user->id);
            $quba = question_engine::make_questions_usage_by_activity('mod_quiz', $quizobj->get_context());
            $quba->set_preferred_behaviour($quizobj->get_quiz()->preferredbehaviour);
            $now = time();
            $attempt = quiz_create_attempt($quizobj, 1, null, $now, false, $user->id);
            quiz_start_new_attempt($quizobj, $quba, $attempt, 1, $now);
            quiz_attempt_save_started($quizobj, $quba, $attempt);
            $attemptobj = \mod_quiz\quiz_attempt::create($attempt->id);
            $responses = [];
            foreach ($attemptobj->get_slots() as $slot) {
                $question = $attemptobj->get_question_attempt($slot)->get_question();
                $right = $question->get_correct_response() ?? [];
                if ($way === 'right') {
                    $responses[$slot] = $right ?: ['answer' => 'A reflection written for the test.', 'answerformat' => FORMAT_HTML];
                    continue;
                }
                // A wrong answer of each kind: the other truth value, a choice worth nothing,
                // every matching item given another item's answer, a text nobody accepts.
                $type = $question->get_type_name();
                if ($type === 'truefalse') {
                    $responses[$slot] = ['answer' => $right['answer'] ? 0 : 1];
                } else if ($type === 'multichoice' && $question instanceof qtype_multichoice_single_question) {
                    $order = $question->get_order($attemptobj->get_question_attempt($slot));
                    foreach ($order as $index => $answerid) {
                        if ($question->answers[$answerid]->fraction <= 0) {
                            $responses[$slot] = ['answer' => $index];
                            break;
                        }
                    }
                } else if ($type === 'multichoice') {
                    $order = $question->get_order($attemptobj->get_question_attempt($slot));
                    $responses[$slot] = [];
                    foreach ($order as $index => $answerid) {
                        if ($question->answers[$answerid]->fraction <= 0) {
                            $responses[$slot]["choice$index"] = 1;
                        }
                    }
                } else if ($type === 'match') {
                    // Every item gets a choice other than its own (the choice keys are 1..n).
                    $responses[$slot] = [];
                    $choices = count(array_unique($question->choices));
                    foreach ($right as $field => $choice) {
                        $responses[$slot][$field] = $choice % $choices + 1;
                    }
                } else if ($type === 'shortanswer') {
                    $responses[$slot] = ['answer' => 'zzz not an answer'];
                } else {
                    $responses[$slot] = ['answer' => 'A reflection written for the test.', 'answerformat' => FORMAT_HTML];
                }
            }
            // Raw response data, as the question's own form would post it.
            $quba = question_engine::load_questions_usage_by_activity($attempt->uniqueid);
            foreach ($responses as $slot => $response) {
                $quba->process_action($slot, $response, $now);
            }
            question_engine::save_questions_usage_by_activity($quba);
            \mod_quiz\quiz_attempt::create($attempt->id)->process_finish($now, false);
            \core\session\manager::set_user(get_admin());
            $grades = grade_get_grades($courseid, 'mod', 'quiz', $quiz->id, $user->id);
            $item = $grades->items[0] ?? null;
            $grade = $item ? $item->grades[$user->id] : null;
            $completion = new completion_info($course);
            $data = $completion->get_data(cm_info::create($cm), false, $user->id);
            $final = \mod_quiz\quiz_attempt::create($attempt->id);
            $outcome[$way] = ['sumgrades' => (float)$final->get_sum_marks(), 'state' => $final->get_state(),
                'grade' => $grade ? (float)$grade->grade : null, 'gradepass' => $item ? (float)$item->gradepass : null,
                'grademax' => $item ? (float)$item->grademax : null, 'completionstate' => (int)$data->completionstate];
        }
        $results[] = $outcome;
    }
    out($results);
    break;

case 'scorm':
    $courseid = (int)$args[0];
    $zip = $args[1];
    $admin = get_admin();
    $draft = file_get_unused_draft_itemid();
    get_file_storage()->create_file_from_pathname(['component' => 'user', 'filearea' => 'draft',
        'contextid' => context_user::instance($admin->id)->id, 'itemid' => $draft,
        'filename' => basename($zip), 'filepath' => '/'], $zip);
    $cfg = get_config('scorm');
    $info = (object)['modulename' => 'scorm', 'module' => $DB->get_field('modules', 'id', ['name' => 'scorm']),
        'course' => $courseid, 'section' => 0, 'visible' => 1, 'name' => basename($zip, '.zip'),
        'introeditor' => ['text' => '', 'format' => FORMAT_HTML, 'itemid' => 0], 'scormtype' => SCORM_TYPE_LOCAL,
        'packagefile' => $draft, 'maxgrade' => 100, 'grademethod' => GRADEHIGHEST, 'whatgrade' => HIGHESTATTEMPT,
        'maxattempt' => 0, 'forcecompleted' => 0, 'forcenewattempt' => 0, 'lastattemptlock' => 0,
        'masteryoverride' => 1, 'width' => 100, 'height' => 500, 'popup' => 0, 'skipview' => 0,
        'hidebrowse' => 0, 'displaycoursestructure' => 0, 'hidetoc' => SCORM_TOC_SIDE, 'nav' => SCORM_NAV_UNDER_CONTENT,
        'navpositionleft' => -100, 'navpositiontop' => -100, 'displayattemptstatus' => 1, 'auto' => 0,
        'updatefreq' => 0, 'autocommit' => 0, 'timeopen' => 0, 'timeclose' => 0, 'completionstatusrequired' => 6,
        'completion' => 2, 'completionscorerequired' => null, 'completionstatusallscos' => 0, 'cmidnumber' => '',
        'groupmode' => 0, 'groupingid' => 0];
    $course = get_course($courseid);
    $module = create_module($info);
    $scorm = $DB->get_record('scorm', ['id' => $module->instance]);
    $user = student('scormlearner', $courseid);
    $scoes = array_values($DB->get_records_select('scorm_scoes', "scorm = ? AND launch <> ''", [$scorm->id],
        'sortorder, id', 'id, identifier, title'));
    out(['cmid' => $module->coursemodule, 'scormid' => $scorm->id, 'version' => $scorm->version,
         'user' => $user->username, 'password' => 'Student-1234', 'scoes' => $scoes]);
    break;

case 'scorm-report':
    $scorm = $DB->get_record('scorm', ['id' => (int)$args[0]], '*', MUST_EXIST);
    $user = $DB->get_record('user', ['username' => $args[1]], '*', MUST_EXIST);
    $scoes = [];
    foreach ($DB->get_records('scorm_scoes', ['scorm' => $scorm->id], 'sortorder, id') as $sco) {
        if ($sco->launch === '') {
            continue;
        }
        $tracks = [];
        foreach ($DB->get_records('scorm_attempt', ['scormid' => $scorm->id, 'userid' => $user->id]) as $attempt) {
            $rows = $DB->get_records_sql("SELECT e.element, v.value FROM {scorm_scoes_value} v
                JOIN {scorm_element} e ON e.id = v.elementid WHERE v.attemptid = ? AND v.scoid = ?",
                [$attempt->id, $sco->id]);
            foreach ($rows as $row) {
                $tracks[$row->element] = $row->value;
            }
        }
        $scoes[$sco->identifier] = $tracks;
    }
    $grades = grade_get_grades($scorm->course, 'mod', 'scorm', $scorm->id, $user->id);
    $item = $grades->items[0];
    out(['grade' => $item->grades[$user->id]->grade === null ? null : (float)$item->grades[$user->id]->grade,
         'grademax' => (float)$item->grademax, 'scoes' => $scoes]);
    break;

case 'delete-course':
    delete_course((int)$args[0], false);
    out(['deleted' => (int)$args[0]]);
    break;

case 'install-plugin':
    require_once($CFG->libdir . '/upgradelib.php');
    $pluginman = core_plugin_manager::instance();
    $component = tool_installaddon_installer::instance()->detect_plugin_component($args[0]);
    $ok = $pluginman->install_plugins([(object)['component' => $component, 'zipfilepath' => $args[0]]], true, true);
    out(['component' => $component, 'installed' => (bool)$ok]);
    break;
case 'ws-token':
    require_once($CFG->dirroot . '/user/lib.php');
    set_config('enablewebservices', 1);
    set_config('webserviceprotocols', 'rest');
    $username = $args[0];
    $user = $DB->get_record('user', ['username' => $username]);
    if (!$user) {
        $id = user_create_user((object)['username' => $username, 'password' => 'Publisher-1234',
            'firstname' => $username, 'lastname' => 'Publisher', 'email' => "$username@example.invalid",
            'auth' => 'manual', 'confirmed' => 1, 'mnethostid' => $CFG->mnet_localhost_id], true, false);
        $user = $DB->get_record('user', ['id' => $id]);
    }
    $system = context_system::instance();
    if (($args[1] ?? '') === 'manager') {
        // The REST protocol is a capability of its own: given to the manager here.
        role_assign($DB->get_field('role', 'id', ['shortname' => 'manager']), $user->id, $system);
        assign_capability('webservice/rest:use', CAP_ALLOW, $DB->get_field('role', 'id', ['shortname' => 'manager']),
            $system->id, true);
    } else if (in_array($args[1] ?? '', ['publisher', 'publisher-without'], true)) {
        // The README's "moocpack publisher" role: these capabilities at site level, nothing else.
        $capabilities = ['local/moocpack:publish', 'moodle/restore:restorecourse', 'moodle/course:create',
            'moodle/competency:competencymanage', 'webservice/rest:use'];
        $capabilities = array_values(array_diff($capabilities, [$args[2] ?? '']));
        $shortname = 'moocpackpublisher' . (($args[1] === 'publisher') ? '' : '_' . md5(implode(',', $capabilities)));
        $roleid = $DB->get_field('role', 'id', ['shortname' => $shortname]);
        if (!$roleid) {
            $roleid = create_role('moocpack publisher', $shortname, 'Publishes courses with moocpack (README)');
            set_role_contextlevels($roleid, [CONTEXT_SYSTEM]);
            foreach ($capabilities as $capability) {
                assign_capability($capability, CAP_ALLOW, $roleid, $system->id, true);
            }
        }
        role_assign($roleid, $user->id, $system);
    }
    $service = $DB->get_record('external_services', ['shortname' => 'moocpack_publish'], '*', MUST_EXIST);
    if (!$DB->record_exists('external_services_users', ['externalserviceid' => $service->id, 'userid' => $user->id])) {
        $DB->insert_record('external_services_users', ['externalserviceid' => $service->id, 'userid' => $user->id,
            'timecreated' => time()]);
    }
    $token = \core_external\util::generate_token(EXTERNAL_TOKEN_PERMANENT, $service, $user->id,
        context_system::instance());
    out(['token' => $token, 'userid' => (int)$user->id]);
    break;

case 'course-by-idnumber':
    $courses = $DB->get_records('course', ['idnumber' => $args[0]], 'id');
    $first = reset($courses);
    $out = ['count' => count($courses)];
    if ($first) {
        $out += \local_moocpack\course_restorer::describe($first);
        $out['category'] = (int)$first->category;
        $out['enrolled'] = count_enrolled_users(context_course::instance($first->id));
        $out['pages'] = array_values($DB->get_fieldset_select('page', 'name', 'course = ? ORDER BY id', [$first->id]));
    }
    out($out);
    break;

case 'enrol':
    $user = student($args[0], (int)$args[1]);
    out(['userid' => (int)$user->id]);
    break;

case 'delete-framework':
    $framework = \core_competency\competency_framework::get_record(['idnumber' => $args[0]]);
    if ($framework) {
        \core_competency\api::delete_framework($framework->get('id'));
    }
    out(['deleted' => (bool)$framework]);
    break;

default:
    fwrite(STDERR, "unknown command '$command'\n");
    exit(2);
}
