"""`chat2crm` console script: dispatches subcommands to their modules, lazily.

Keeping imports lazy keeps `chat2crm time` and `chat2crm extract` fast to start
(no torch/spaCy/FastAPI unless a subcommand needs them).
"""
from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "extract": ("extractor.extract_cli:main", "propose CRM field updates for a conversation"),
    "time": ("extractor.timex.cli:main", "resolve the first time expression of each JSON line"),
    "diagnose": ("eval.diagnosis.cli:main", "capability diagnosis matrix per rep"),
    "eval": ("eval.cli:main", "score the extractor on a gold JSONL file"),
    "train": ("models.cli:main", "train the classifiers from the corpus and stored decisions"),
    "label": ("labeling.cli:main", "what to label next; import/export labels"),
    "serve": ("api.cli:serve_main", "start the HTTP service"),
    "keys": ("api.cli:keys_main", "manage API keys"),
}

USAGE = "usage: chat2crm [--debug] {" + ",".join(COMMANDS) + "} ...\n\n" + "\n".join(
    f"  {k:10} {v[1]}" for k, v in COMMANDS.items())


def _one_line_error(self, message):  # argparse.ArgumentParser.error, one line instead of usage + message
    import argparse
    if not isinstance(self, argparse.ArgumentParser):
        raise TypeError(message)
    self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = False
    if argv and argv[0] == "--debug":
        debug, argv = True, argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    import argparse
    argparse.ArgumentParser.error = _one_line_error  # every subcommand's usage errors are one line
    cmd, rest = argv[0], argv[1:]
    if cmd not in COMMANDS:
        print(f"chat2crm: unknown command {cmd!r}\n{USAGE}", file=sys.stderr)
        return 2
    target = COMMANDS[cmd][0]
    mod_name, func_name = target.split(":")
    from extractor.types import InputError
    try:
        func = getattr(importlib.import_module(mod_name), func_name)
        return int(func(rest) or 0)
    except InputError as e:
        if debug:
            raise
        print(f"chat2crm {cmd}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as e:  # argparse usage errors exit 2 with their own one-line message
        if e.code is None or e.code == 0:
            return 0
        if e.code == 2:
            return 2
        if not isinstance(e.code, int):
            print(f"chat2crm {cmd}: {e.code}", file=sys.stderr)
        else:  # e.g. uvicorn's exit 3 when the port is taken
            print(f"chat2crm {cmd}: stopped with status {e.code} (is the port already in use?)" if cmd == "serve"
                  else f"chat2crm {cmd}: stopped with status {e.code}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - the user gets one line, not a traceback
        if debug:
            raise
        print(f"chat2crm {cmd}: error: {type(e).__name__}: {e} (rerun with --debug for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
