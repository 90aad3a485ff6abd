# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# The official Odoo 18.0 image (Ubuntu noble, Odoo from the .deb, user odoo, /etc/odoo/odoo.conf,
# data in /var/lib/odoo) plus the ecom-finance core, the OCA addons it needs and the four addons.
# The four addons live in /opt/ecom/addons, not in /mnt/extra-addons: that path is a VOLUME of
# the official image, and docker compose keeps an anonymous volume across `up`, so an upgraded
# image would go on serving the old addons. /mnt/extra-addons stays first in the addons path for
# addons of your own (mount them there).
# No secret is baked in: keys, the master password and the admin password are made on the first
# start into the secrets volume, or taken from .env (docker/entrypoint.sh, .env.example).
#
#   docker build --target runtime .   the image docker-compose.yml runs (demo and production)
#   docker build --target test .      + make, Chrome for the tours, the test requirements
FROM odoo:18.0 AS runtime

USER root
# The printed vouchers (记账凭证) need wkhtmltopdf and a CJK font: the official image ships both
# (wkhtmltox 0.12.6.1 with patched Qt, fonts-noto-cjk); installed here should a build lack them.
RUN (command -v wkhtmltopdf >/dev/null && dpkg -s fonts-noto-cjk >/dev/null 2>&1) \
    || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        wkhtmltopdf fonts-noto-cjk && rm -rf /var/lib/apt/lists/*)
COPY pyproject.toml README.md requirements.txt requirements-oca.txt /opt/ecom/
COPY ecomfin /opt/ecom/ecomfin
RUN pip3 install --no-cache-dir --break-system-packages -r /opt/ecom/requirements.txt /opt/ecom \
    && pip3 install --no-cache-dir --break-system-packages --no-deps -r /opt/ecom/requirements-oca.txt
COPY addons /opt/ecom/addons
COPY config/odoo.conf /etc/odoo/odoo.conf
COPY docker/entrypoint.sh /usr/local/bin/ecom-entrypoint
COPY docker/make-cert.sh /usr/local/bin/ecom-make-cert
COPY scripts/backup.py scripts/backup_scheduled.sh scripts/db_roles.sql /opt/ecom/scripts/
COPY docker/backup-loop.sh /usr/local/bin/ecom-backup-loop
RUN mkdir -p /var/lib/ecom-secrets /var/lib/ecom-audit /var/lib/ecom-backups \
    && chown odoo /var/lib/ecom-secrets /var/lib/ecom-audit /var/lib/ecom-backups \
    && chmod 700 /var/lib/ecom-secrets
VOLUME ["/var/lib/odoo", "/var/lib/ecom-secrets", "/var/lib/ecom-audit"]
EXPOSE 8069 8072
USER odoo

ENTRYPOINT ["/usr/local/bin/ecom-entrypoint"]
CMD ["odoo"]

# `docker compose run --rm test`: scripts/test.sh on the mounted checkout (/mnt/ecom), with a
# virtualenv that sees the image's Odoo; Ubuntu's `chromium` is a snap stub that cannot run in a
# container, so the tours get Google Chrome (amd64; Odoo looks for `google-chrome` first).
FROM runtime AS test
USER root
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make git python3-venv \
    && curl -fsSL -o /tmp/chrome.deb https://dl.google.com/linux/direct/google-chrome-stable_current_amd64.deb \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/chrome.deb \
    && rm -rf /var/lib/apt/lists/* /tmp/chrome.deb \
    && python3 -m venv --system-site-packages /opt/ecom-venv \
    && /opt/ecom-venv/bin/pip install --no-cache-dir pytest hypothesis openpyxl PyYAML jsonschema freezegun polib \
        odoo-test-helper websocket-client
# test.sh installs the mounted checkout's core (-e) and the OCA addons into this virtualenv, and
# tests the mounted addons: the image's copy (/opt/ecom/addons) stays out of the addons path
RUN printf '[options]\n' > /etc/odoo/test.conf
ENV PYTHON=/opt/ecom-venv/bin/python ODOO_RC=/etc/odoo/test.conf
WORKDIR /mnt/ecom
ENTRYPOINT ["make", "test"]
CMD []
