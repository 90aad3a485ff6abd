# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# The official Odoo 18.0 image plus the ecom-finance core and the OCA addons it needs.
FROM odoo:18.0

USER root
COPY pyproject.toml README.md requirements.txt requirements-oca.txt /opt/ecom/
COPY ecomfin /opt/ecom/ecomfin
RUN pip3 install --no-cache-dir --break-system-packages -r /opt/ecom/requirements.txt /opt/ecom \
    && pip3 install --no-cache-dir --break-system-packages --no-deps -r /opt/ecom/requirements-oca.txt \
    && pip3 install --no-cache-dir --break-system-packages pytest websocket-client
COPY docker/start.sh /usr/local/bin/ecom-start
USER odoo

ENTRYPOINT ["/usr/local/bin/ecom-start"]
CMD ["odoo"]
