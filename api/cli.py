"""`chat2crm serve` and `chat2crm keys`: the service and its API keys share one store
(CHAT2CRM_DATABASE_URL, default the SQLite file under ~/.local/share/chat2crm)."""
from __future__ import annotations

import argparse
import json
import sys


def serve_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="chat2crm serve", description="start the HTTP service")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--log-level", default="info")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (PostgreSQL recommended for >1)")
    args = ap.parse_args(argv)
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    settings = Settings()
    if args.workers > 1:
        create_app(settings)  # migrate once before the workers start
        uvicorn.run("api.app:app_from_env", factory=True, host=args.host, port=args.port,
                    log_level=args.log_level, workers=args.workers)
        return 0
    app = create_app(settings)
    print(f"chat2crm serve: http://{args.host}:{args.port}/app  (store: {app.state.engine.url.render_as_string()})",
          file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


def keys_main(argv: list[str]) -> int:
    from api.settings import ROLES

    ap = argparse.ArgumentParser(prog="chat2crm keys", description="manage API keys (only hashes are stored)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("add", help="create a key and print it once")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--rep-id")
    a.add_argument("--name")
    a.add_argument("--json", action="store_true", help="print {id, key, role, rep_id} as JSON")
    ls = sub.add_parser("list", help="list keys (no secrets)")
    ls.add_argument("--json", action="store_true")
    r = sub.add_parser("revoke", help="revoke a key by its id")
    r.add_argument("key_id")
    args = ap.parse_args(argv)

    from sqlalchemy import select

    from api.security import create_key, revoke_key
    from api.settings import Settings
    from extractor.types import InputError
    from labeling.store import open_store
    from labeling.store.models import ApiKey

    settings = Settings()
    engine, Session = open_store(settings.database_url)
    try:
        with Session() as s:
            if args.cmd == "add":
                try:
                    row, secret = create_key(s, settings, args.role, args.rep_id, args.name)
                except ValueError as e:
                    raise InputError(str(e), field="--rep-id" if "rep" in str(e) else "--role") from None
                if args.json:
                    print(json.dumps({"id": row.id, "key": secret, "role": row.role, "rep_id": row.rep_id,
                                      "name": row.name}))
                else:
                    print(secret)
                    print(f"key {row.id} role={row.role}" + (f" rep_id={row.rep_id}" if row.rep_id else "")
                          + " - shown once; only its hash is stored", file=sys.stderr)
                return 0
            if args.cmd == "list":
                rows = list(s.scalars(select(ApiKey).order_by(ApiKey.created_at)))
                if args.json:
                    print(json.dumps([{"id": k.id, "prefix": k.prefix, "role": k.role, "rep_id": k.rep_id,
                                       "name": k.name, "created_at": k.created_at.isoformat(),
                                       "revoked": k.revoked_at is not None} for k in rows], ensure_ascii=False))
                else:
                    for k in rows:
                        state = "revoked" if k.revoked_at else "active"
                        print(f"{k.id}\t{k.prefix}…\t{k.role}\t{k.rep_id or '-'}\t{k.name or '-'}\t{state}")
                return 0
            if args.cmd == "revoke":
                if not revoke_key(s, args.key_id):
                    raise InputError(f"no key with id {args.key_id!r}", field="key_id")
                print(f"revoked {args.key_id}")
                return 0
    finally:
        engine.dispose()
    return 2


def main() -> int:  # python -m api.cli serve|keys ...
    argv = sys.argv[1:]
    if not argv or argv[0] not in ("serve", "keys"):
        print("usage: python -m api.cli {serve,keys} ...", file=sys.stderr)
        return 2
    from extractor.cli import main as dispatch

    return dispatch(argv)


if __name__ == "__main__":
    sys.exit(main())
