"""What every publish target shares: TLS always verified (a private CA only through --ca-bundle),
retries that never repeat work the server may have done, and the Moodle plugin's zip."""

from __future__ import annotations

import io
import re
import shutil
import ssl
import subprocess
import zipfile

import pytest
import requests
from pytest_httpserver import HTTPServer

from moocpack.publishing.http import Http, PublishError
from moocpack.publishing.moodle import PLUGIN_FUNCTIONS
from moocpack.publishing.plugin import FOLDER, plugin_files


@pytest.fixture
def tls_server():
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("localhost").configure_cert(context)
    server = HTTPServer(ssl_context=context)
    server.start()
    server.expect_request("/ping").respond_with_json({"pong": True})
    yield server, authority
    server.clear()
    server.stop()


def test_tls_is_verified_and_a_private_authority_is_trusted_only_through_ca_bundle(tls_server, tmp_path):
    server, authority = tls_server
    url = server.url_for("/ping")
    assert url.startswith("https://")
    with pytest.raises(PublishError, match="--ca-bundle"):
        Http(retries=0).request("GET", url)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    assert Http(ca_bundle=str(bundle)).request("GET", url).json() == {"pong": True}


def test_a_missing_ca_bundle_is_an_error_not_a_silent_fallback(tmp_path):
    with pytest.raises(PublishError, match="not a file"):
        Http(ca_bundle=str(tmp_path / "missing.pem"))


def test_work_the_server_may_have_done_is_not_repeated_but_a_lookup_is_retried(httpserver, monkeypatch):
    pauses = []
    monkeypatch.setattr("moocpack.publishing.http.time.sleep", pauses.append)
    httpserver.expect_request("/restore").respond_with_data("gateway", status=502)
    http = Http(retries=3)
    assert http.request("POST", httpserver.url_for("/restore"), once=True).status_code == 502
    assert pauses == []  # the restore may have run: never sent twice
    assert http.request("GET", httpserver.url_for("/restore")).status_code == 502
    assert pauses == [0.5, 1.0, 2.0]


def test_a_refused_connection_is_retried_even_for_work(monkeypatch):
    pauses, attempts = [], []
    monkeypatch.setattr("moocpack.publishing.http.time.sleep", pauses.append)

    def refuse(*args, **kwargs):
        attempts.append(1)
        raise requests.exceptions.ConnectionError("[Errno 111] Connection refused")

    http = Http(retries=2)
    monkeypatch.setattr(http.session, "request", refuse)
    with pytest.raises(PublishError, match="cannot reach http://lms.example"):
        http.request("POST", "http://lms.example/restore", once=True)
    assert len(attempts) == 3 and pauses == [0.5, 1.0]


def test_secrets_never_reach_a_message(monkeypatch):
    http = Http(secrets=("s3cr3t-token",), retries=0)

    def fail(*args, **kwargs):
        raise requests.exceptions.ConnectionError("refused for https://lms.example/?wstoken=s3cr3t-token")

    monkeypatch.setattr(http.session, "request", fail)
    with pytest.raises(PublishError) as caught:
        http.request("GET", "https://lms.example/")
    assert "s3cr3t-token" not in str(caught.value) and "****" in str(caught.value)


# -- the Moodle plugin -----------------------------------------------------------------------------


def test_the_plugin_zip_has_one_folder_moodle_installs_as_local_moocpack_and_is_reproducible(cli, tmp_path):
    code, out, _ = cli("moodle-plugin", "-o", tmp_path / "local_moocpack.zip")
    assert code == 0 and "local_moocpack" in out
    data = (tmp_path / "local_moocpack.zip").read_bytes()
    cli("moodle-plugin", "-o", tmp_path / "again.zip")
    assert (tmp_path / "again.zip").read_bytes() == data
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {name.split("/")[0] for name in names} == {FOLDER}
    for required in (
        "version.php",
        "db/services.php",
        "db/access.php",
        "lang/en/local_moocpack.php",
        "classes/privacy/provider.php",
        "tests/external/restore_course_test.php",
    ):
        assert f"{FOLDER}/{required}" in names


def test_the_plugin_declares_every_function_the_publisher_calls():
    files = plugin_files()
    services = files[f"{FOLDER}/db/services.php"].decode()
    declared = set(re.findall(r"^    '(local_moocpack_\w+)' => \[", services, re.M))
    assert declared == set(PLUGIN_FUNCTIONS)
    for function in declared:
        name = function.removeprefix("local_moocpack_")
        source = files[f"{FOLDER}/classes/external/{name}.php"].decode()
        assert f"class {name} extends external_api" in source
    assert "'uploadfiles' => 1" in services  # webservice/upload.php refuses the token otherwise
    assert re.search(r"\$plugin->component = 'local_moocpack';", files[f"{FOLDER}/version.php"].decode())


@pytest.mark.skipif(not shutil.which("php"), reason="PHP is not installed: the plugin's syntax check needs php -l")
def test_every_php_file_of_the_plugin_parses(tmp_path):
    for name, data in plugin_files().items():
        path = tmp_path / name.replace("/", "_")
        path.write_bytes(data)
        done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, name + done.stdout + done.stderr
