# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""``python -m ecomfin.devices.decode --protocol scanner|impinj|m100|chafon [--suffix CR|LF|CRLF|TAB]
[--prefix X]``: raw device bytes on stdin, one JSON object per read on stdout
(``{"kind", "code", "gtin", "serial", "lot"}``), then ``{"bad_frames": N}`` as the last line.

Bad arguments exit with status 2 and a message on stderr. ``--prefix`` takes Python escapes (``\\x02``
for STX).
"""

import argparse
import codecs
import json
import sys

from .reads import PROTOCOLS, make_decoder
from .scanner import TERMINATORS


def parse_prefix(text):
    try:
        return codecs.decode(text, "unicode_escape").encode("latin-1")
    except (UnicodeDecodeError, UnicodeEncodeError) as error:
        raise argparse.ArgumentTypeError(f"cannot read prefix {text!r}: {error}") from None


def build_parser(prog="python -m ecomfin.devices.decode"):
    parser = argparse.ArgumentParser(prog=prog, description="Decode raw device bytes read on stdin.")
    parser.add_argument("--protocol", required=True, choices=PROTOCOLS)
    parser.add_argument("--suffix", choices=sorted(TERMINATORS), help="scanner terminator (default CR)")
    parser.add_argument("--prefix", type=parse_prefix, help="scanner prefix, Python escapes allowed")
    return parser


def decoder_options(parser, args):
    """The options of make_decoder from parsed arguments; scanner-only ones refused elsewhere (exit 2)."""
    options = {}
    if args.suffix is not None:
        options["suffix"] = args.suffix
    if args.prefix:
        options["prefix"] = args.prefix
    if options and args.protocol != "scanner":
        parser.error(f"--suffix and --prefix apply to --protocol scanner, not {args.protocol}")
    return options


def main(argv=None, stdin=None, stdout=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    decoder = make_decoder(args.protocol, **decoder_options(parser, args))
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout

    def emit(reads):
        for read in reads:
            stdout.write(json.dumps(read.as_json(), ensure_ascii=False) + "\n")

    while True:
        chunk = stdin.read1(65536) if hasattr(stdin, "read1") else stdin.read(65536)
        if not chunk:
            break
        emit(decoder.feed(chunk))
    emit(decoder.finish())
    stdout.write(json.dumps({"bad_frames": decoder.bad_frames}) + "\n")
    stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
