# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Docker stack, checked without a Docker engine: the entrypoint run with stub `odoo` and
`psql` commands (first start, a first start that stopped half-way, an installed database), the
compose file read as YAML, the nginx configuration read for its routes, and the Dockerfile."""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
ADDONS = ["ecom_audit", "ecom_finance", "ecom_reconcile", "ecom_devices"]

# `psql` of the stub server: answers from the state file (none: no database; nobase: a database
# whose base module never got installed; partial: two of the four addons installed; installed)
PSQL = r"""#!/bin/bash
sql=$(cat)
state=$(cat "$STUB_DIR/state")
echo "psql $* :: $sql" >>"$STUB_DIR/log"
case "$sql" in
    *rolsuper*) echo "${STUB_SUPER:-f}" ;;
    *pg_database*) [ "$state" = none ] || echo 1 ;;
    *ir_module_module*)
        case "$state" in
            nobase) echo 'ERROR:  relation "ir_module_module" does not exist' >&2; exit 1 ;;
            partial) echo 2 ;;
            installed) echo 0 ;;
        esac ;;
    *) echo 1 ;;
esac
"""

# `odoo` of the stub: logs its arguments and the secrets it sees; `shell` runs nothing and must
# come first, as Odoo wants its subcommands; -i installs (or, with
# STUB_CRASH=1, stops half-way as a killed installation would)
ODOO = r"""#!/bin/bash
echo "odoo $* :: keys=${ECOM_FIELD_KEYS:+set} hmac=${ECOM_AUDIT_HMAC_KEY:+set} anchors=$ECOM_AUDIT_ANCHOR_PATH" >>"$STUB_DIR/log"
case " $* " in
    *" shell "*)
        # as Odoo: a subcommand must come first
        [ "$1" = shell ] || { echo "odoo server: error: unrecognized parameters: 'shell'" >&2; exit 2; }
        cat >>"$STUB_DIR/shell" ;;
    *" -i "*)
        if [ "${STUB_CRASH:-0}" = 1 ]; then echo partial >"$STUB_DIR/state"; exit 1; fi
        echo installed >"$STUB_DIR/state" ;;
esac
exit 0
"""


@pytest.fixture
def stack(tmp_path):
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, text in (("psql", PSQL), ("odoo", ODOO)):
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    (tmp_path / "python3").symlink_to(sys.executable)
    (tmp_path / "state").write_text("none\n")
    (tmp_path / "log").write_text("")
    base_rc = tmp_path / "odoo.conf"
    shutil.copy(ROOT / "config" / "odoo.conf", base_rc)
    return tmp_path


def start(stack, *args, **env):
    environ = {
        "PATH": f"{stack / 'bin'}:{stack}:/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(stack),
        "STUB_DIR": str(stack),
        "ECOM_SECRETS_DIR": str(stack / "secrets"),
        "ECOM_BASE_RC": str(stack / "odoo.conf"),
        "HOST": "db",
        "USER": "odoo",
        "PASSWORD": "db-pass-from-env",
        **env,
    }
    done = subprocess.run(
        ["bash", str(ENTRYPOINT), *args], env=environ, capture_output=True, text=True, timeout=60, check=False
    )
    log = (stack / "log").read_text()
    (stack / "log").write_text("")
    return done, log


def odoo_calls(log):
    return [line.split(" :: ")[0] for line in log.splitlines() if line.startswith("odoo ")]


def test_first_start_installs_without_demo_and_makes_the_secrets(stack):
    done, log = start(stack)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = odoo_calls(log)
    rc = stack / "secrets" / "odoo.conf"
    install = [c for c in calls if " -i " in c]
    assert len(install) == 1
    assert f"-c {rc} -d ecom -i {','.join(ADDONS)} --without-demo=all" in install[0]
    assert "--stop-after-init" in install[0]
    # the admin user's password is set once, then Odoo serves
    assert "shell" in calls[1]
    assert 'env.ref("base.user_admin").password' in (stack / "shell").read_text()
    assert calls[-1] == f"odoo -c {rc}"
    assert "keys=set hmac=set anchors=/var/lib/ecom-audit/anchors.jsonl" in log
    # the secrets: in the volume, this user's only, shown where they must be kept
    for name in ("field_keys", "audit_hmac_key", "backup_key", "admin_passwd.hash", "odoo.conf"):
        mode = stat.S_IMODE((stack / "secrets" / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert re.fullmatch(
        r"k1:[A-Za-z0-9+/=]{44};index=[A-Za-z0-9+/=]{44}\n", (stack / "secrets" / "field_keys").read_text()
    )
    backup_key = (stack / "secrets" / "backup_key").read_text().strip()
    assert backup_key.startswith("bk1:") and backup_key in done.stdout
    assert "Odoo master password (shown once" in done.stdout
    assert "Odoo user 'admin' of database ecom: password (shown once)" in done.stdout
    config = rc.read_text()
    assert "db_password = db-pass-from-env" in config
    assert "db_host = db\ndb_port = 5432\ndb_user = odoo\n" in config
    assert re.search(r"^admin_passwd = \$pbkdf2-sha512\$", config, re.M)
    assert "dbfilter = ^ecom$" in config
    assert "workers = 4" in config and "server_wide_modules = base,web,queue_job" in config


def test_a_half_finished_first_start_is_finished_at_the_next_start(stack):
    done, log = start(stack, STUB_CRASH="1")
    assert done.returncode != 0
    assert not [
        c for c in odoo_calls(log) if " shell " in c
    ], "no admin password before the install is through"
    keys = (stack / "secrets" / "field_keys").read_text()

    # the database exists, two addons are not installed: installing again, then the admin password
    done, log = start(stack)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(2 of 4 not installed yet" in done.stdout
    calls = odoo_calls(log)
    assert [c for c in calls if " -i " in c]
    assert [c for c in calls if " shell " in c]
    assert (stack / "secrets" / "field_keys").read_text() == keys, "the keys of the first start are kept"

    # installed: nothing installed again, no new password, the same secrets
    done, log = start(stack)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = odoo_calls(log)
    assert calls == [f"odoo -c {stack / 'secrets' / 'odoo.conf'}"]
    assert "shown once" not in done.stdout
    assert (stack / "secrets" / "field_keys").read_text() == keys


def test_a_database_whose_base_never_installed_is_installed(stack):
    (stack / "state").write_text("nobase\n")
    done, log = start(stack)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(4 of 4 not installed yet" in done.stdout
    assert [c for c in odoo_calls(log) if " -i " in c]
    # an existing database keeps its admin user's password
    assert not [c for c in odoo_calls(log) if " shell " in c]


def test_an_installed_database_of_an_earlier_version_keeps_its_admin_password(stack):
    (stack / "state").write_text("installed\n")
    done, log = start(stack)
    assert done.returncode == 0, done.stdout + done.stderr
    assert odoo_calls(log) == [f"odoo -c {stack / 'secrets' / 'odoo.conf'}"]
    assert "user 'admin'" not in done.stdout


def test_demo_profile_installs_demo_data_and_keeps_the_demo_logins(stack):
    done, log = start(stack, ECOM_DEMO="1", ECOM_DB="ecom_demo")
    assert done.returncode == 0, done.stdout + done.stderr
    calls = odoo_calls(log)
    install = [c for c in calls if " -i " in c]
    assert install and "-d ecom_demo" in install[0] and "--without-demo" not in install[0]
    assert not [c for c in calls if " shell " in c]
    assert "dbfilter = ^ecom_demo$" in (stack / "secrets" / "odoo.conf").read_text()


def test_secrets_from_the_environment_win_and_are_not_stored(stack):
    done, _log = start(
        stack,
        ECOM_FIELD_KEYS="env1:" + "A" * 43 + "=;index=" + "B" * 43 + "=",
        ECOM_AUDIT_HMAC_KEY="hmac-from-env",
        ECOM_BACKUP_KEY="bk9:" + "C" * 43 + "=",
        ECOM_ADMIN_PASSWD="master-from-env",
        ECOM_AUDIT_ANCHOR_PATH="/anchors/a.jsonl",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("field_keys", "audit_hmac_key", "backup_key"):
        assert not (stack / "secrets" / name).exists()
    assert "master password" not in done.stdout
    assert "master-from-env" not in (stack / "secrets" / "odoo.conf").read_text()


def test_a_superuser_role_is_refused(stack):
    done, log = start(stack, STUB_SUPER="t")
    assert done.returncode == 1
    assert "is a PostgreSQL superuser" in done.stderr
    assert not odoo_calls(log)


def test_no_database_password_is_refused(stack):
    done, log = start(stack, PASSWORD="")
    assert done.returncode == 1
    assert "no database password" in done.stderr
    assert not odoo_calls(log)


def test_the_database_password_can_come_from_a_file(stack):
    (stack / "pw").write_text("from-a-docker-secret")
    done, _log = start(stack, PASSWORD="", PASSWORD_FILE=str(stack / "pw"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "db_password = from-a-docker-secret" in (stack / "secrets" / "odoo.conf").read_text()


def test_other_commands_run_as_they_are(stack):
    done, log = start(stack, "echo", "hello")
    assert (done.returncode, done.stdout) == (0, "hello\n")
    assert not log


def test_odoo_options_are_passed_on(stack):
    (stack / "state").write_text("installed\n")
    done, log = start(stack, "--log-level=debug")
    assert done.returncode == 0, done.stdout + done.stderr
    assert odoo_calls(log)[-1].endswith("--log-level=debug")


# ---------------------------------------------------------------------------- compose


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def interpolated(text, env):
    """The compose file as `docker compose` sees it with ``env`` as .env: in every string value,
    ${VAR}, ${VAR:-default}, ${VAR:?message} (a missing required variable raises), $$ a dollar."""

    def value(match):
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == "?":
            raise KeyError(f"{name}: {arg}")
        return arg or ""

    def walk(node):
        if isinstance(node, dict):
            return {key: walk(item) for key, item in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, str):
            return re.sub(r"\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}", value, node)
        return node

    return walk(yaml.safe_load(text))


def test_compose_file_follows_the_compose_specification():
    schema = json.loads((ROOT / "tests" / "fixtures" / "compose" / "compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    text = (ROOT / "docker-compose.yml").read_text()
    env = {"ECOM_PG_SUPERUSER_PASSWORD": "p1", "ECOM_DB_PASSWORD": "p2"}
    for document in (yaml.safe_load(text), interpolated(text, env)):
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
        assert not errors, errors
    # without the two passwords of .env, compose refuses to start
    with pytest.raises(KeyError, match="ECOM_DB_PASSWORD"):
        interpolated(text, {"ECOM_PG_SUPERUSER_PASSWORD": "p1"})
    resolved = interpolated(text, env)
    assert resolved["services"]["odoo"]["environment"]["PASSWORD"] == "p2"
    assert resolved["services"]["odoo"]["environment"]["ECOM_FIELD_KEYS"] == ""
    assert resolved["services"]["proxy"]["ports"] == ["80:80", "443:443"]
    assert "$db" in resolved["services"]["db-roles"]["command"][2]


def test_compose_profiles(compose):
    services = compose["services"]
    assert services["odoo"]["profiles"] == ["production"]
    assert services["odoo-demo"]["profiles"] == ["demo"]
    assert services["test"]["profiles"] == ["test"]
    assert set(services["proxy"]["profiles"]) == {"demo", "production"}
    assert services["odoo"]["environment"]["ECOM_DEMO"] == "0"
    assert services["odoo-demo"]["environment"]["ECOM_DEMO"] == "1"
    assert services["odoo"]["environment"]["ECOM_DB"] != services["odoo-demo"]["environment"]["ECOM_DB"]
    # the proxy reaches whichever runs as `odoo`
    assert "odoo" in services["odoo-demo"]["networks"]["default"]["aliases"]
    # each stack its own data, secrets and anchors
    for name in ("odoo", "odoo-demo"):
        mounts = {v.split(":")[1]: v.split(":")[0] for v in services[name]["volumes"]}
        assert set(mounts) == {"/var/lib/odoo", "/var/lib/ecom-secrets", "/var/lib/ecom-audit"}
        assert all(source in compose["volumes"] for source in mounts.values())
    assert set(services["odoo"]["volumes"]).isdisjoint(services["odoo-demo"]["volumes"])


def test_compose_bakes_in_no_secret(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    assert "admin_passwd" not in text
    for service in compose["services"].values():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|PASSWD|KEY", key):
                # from .env, required or left empty for the entrypoint to generate
                assert re.fullmatch(r"\$\{[A-Z_]+:(\?[^}]+|-)\}", str(value)), (key, value)
    # Odoo's ports are reached through the proxy only
    assert "ports" not in compose["services"]["odoo"]
    assert "ports" not in compose["services"]["odoo-demo"]
    assert "ports" not in compose["services"]["db"]


def test_compose_test_service_runs_make_test_on_the_checkout(compose):
    test = compose["services"]["test"]
    assert test["build"]["target"] == "test"
    assert ".:/mnt/ecom" in test["volumes"]
    assert test["working_dir"] == "/mnt/ecom"
    dockerfile = (ROOT / "Dockerfile").read_text()
    stage = dockerfile[dockerfile.index("AS test") :]
    assert 'ENTRYPOINT ["make", "test"]' in stage
    for need in ("make", "google-chrome", "websocket-client", "python3-venv"):
        assert need in stage


def test_dockerfile_follows_the_official_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM odoo:18.0") == 1
    assert "COPY config/odoo.conf /etc/odoo/odoo.conf" in dockerfile
    runtime = dockerfile[: dockerfile.index("AS test")]
    assert runtime.rstrip().splitlines()[-1].startswith("#") or "USER odoo" in runtime
    assert runtime.index("USER odoo") > runtime.index("USER root")
    # nothing secret is copied or set in the image
    assert not re.search(r"(?i)^(ENV|ARG).*(KEY|PASSW)", dockerfile, re.M)
    for path in ("field_keys", ".env", "admin_passwd"):
        assert f"COPY {path}" not in dockerfile
    config = (ROOT / "config" / "odoo.conf").read_text()
    assert not re.search(r"^\s*(admin_passwd|db_password)\s*=", config, re.M)
    assert re.search(r"^addons_path = /mnt/extra-addons,", config, re.M)
    assert re.search(r"^proxy_mode = True$", config, re.M)
    assert re.search(r"^server_wide_modules = base,web,queue_job$", config, re.M)
    channels = re.search(r"^channels = (.*)$", config, re.M).group(1).split(",")
    assert {c.split(":")[0] for c in channels} >= {"root", "root.ecom", "root.ecom.imports", "root.ecom.runs"}


def test_env_example_lists_what_compose_reads(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert used <= listed, used - listed
    # nothing filled in: a copy of it is no shared secret
    for line in example.splitlines():
        if re.match(r"[A-Z_]*(PASSWORD|PASSWD|KEY|KEYS)=", line):
            assert line.endswith("="), line


# ---------------------------------------------------------------------------- nginx


@pytest.fixture(scope="module")
def nginx_conf():
    return (ROOT / "docker" / "nginx.conf.template").read_text()


def _location(conf, path):
    match = re.search(r"location (=\s*)?" + re.escape(path) + r" \{(.*?)\n    \}", conf, re.S)
    assert match, path
    return match.group(2)


def test_nginx_routes(nginx_conf):
    assert "listen 443 ssl;" in nginx_conf
    assert "return 301 https://$host$request_uri;" in nginx_conf
    websocket = _location(nginx_conf, "/websocket")
    assert "proxy_pass http://odoo_gevent;" in websocket
    assert "Upgrade $http_upgrade" in websocket
    assert re.search(r"upstream odoo_gevent \{\s*server odoo:8072;", nginx_conf)
    assert re.search(r"upstream odoo \{\s*server odoo:8069;", nginx_conf)
    for path in ("/web/login", "/xmlrpc/2/common", "/jsonrpc"):
        block = _location(nginx_conf, path)
        assert re.search(r"limit_req zone=ecom_\w+", block), path
        assert "proxy_pass http://odoo;" in block
    assert "X-Forwarded-Proto $scheme" in nginx_conf and "X-Forwarded-Host $host" in nginx_conf
    # the only variable the template substitutes is the domain (nginx's own stay as they are)
    assert set(re.findall(r"\$\{(\w+)\}", nginx_conf)) == {"ECOM_DOMAIN"}


def test_nginx_accepts_the_configuration(tmp_path, nginx_conf):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx:
        pytest.skip("nginx is not installed here")
    version = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False).stderr
    conf = nginx_conf.replace("${ECOM_DOMAIN}", "ecom.example").replace("server odoo:", "server 127.0.0.1:")
    if tuple(map(int, re.search(r"nginx/(\d+)\.(\d+)", version).groups())) < (1, 25):
        conf = conf.replace("listen 443 ssl;\n    http2 on;", "listen 443 ssl http2;")
    certs = tmp_path / "certs"
    subprocess.run(
        ["sh", str(ROOT / "docker" / "make-cert.sh"), str(certs), "ecom.example"],
        check=True,
        capture_output=True,
    )
    conf = conf.replace("/etc/nginx/certs/", f"{certs}/")
    (tmp_path / "default.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/default.conf;\n}}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
