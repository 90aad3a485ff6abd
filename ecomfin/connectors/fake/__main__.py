# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""``python -m ecomfin.connectors.fake --platform NAME --port PORT --orders N --seed S``

Serves the platform's API on 127.0.0.1 with N orders and their bills, checking request
signatures; prints the base URL and the credentials to enter on the backend, then serves
until interrupted.
"""

import argparse
import json
import sys

from . import FAKES, serve


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m ecomfin.connectors.fake", description=__doc__.split("\n\n")[1]
    )
    parser.add_argument("--platform", required=True, choices=sorted(FAKES))
    parser.add_argument("--port", type=int, default=8069 + 1000)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--days", type=int, default=None, help="days the orders spread over (ending yesterday)"
    )
    args = parser.parse_args(argv)
    server = serve(args.platform, orders=args.orders, seed=args.seed, port=args.port, days=args.days)
    print(f"fake {args.platform} API on {server.url} ({args.orders} orders, seed {args.seed})", flush=True)
    print(
        "credentials: " + json.dumps(server.api.credentials_for(server.url), ensure_ascii=False), flush=True
    )
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
