"""Publishing: putting built packages into a running LMS over its web API.

`packages` finds or builds what is sent; `moodle` and `openedx` talk to one platform each over
`http` (time-outs, retries, TLS, secrets kept out of messages); `commands` is the command line.
The Moodle side needs the companion plugin in lms/moodle/local_moocpack (`moocpack moodle-plugin`
writes its installable zip): Moodle core has no web-service function that restores a backup.
"""
