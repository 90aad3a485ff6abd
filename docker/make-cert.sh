#!/bin/sh
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# make-cert.sh DIR DOMAIN: a self-signed certificate (fullchain.pem, privkey.pem) for DOMAIN in
# DIR, unless DIR already holds one (yours: put them there and they are kept).
set -eu
dir=$1
domain=$2
if [ -s "$dir/fullchain.pem" ] && [ -s "$dir/privkey.pem" ]; then
    echo "certificate in $dir kept"
    exit 0
fi
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=$domain" \
    -addext "subjectAltName=DNS:$domain" -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem"
chmod 644 "$dir/fullchain.pem"
chmod 640 "$dir/privkey.pem"
echo "self-signed certificate for $domain made in $dir: replace it by a real one for production"
