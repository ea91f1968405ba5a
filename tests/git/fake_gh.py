#!/usr/bin/env python3
"""A stand-in for `gh api` (GitHub's REST API is out of reach in tests): issue comments kept in a JSON file.

Understands exactly what the workflow's Comment step sends: list an issue's
comments, create one, update one. Everything else fails loudly.
"""

import json
import os
import sys
from pathlib import Path

state_path = Path(os.environ["FAKE_GH_STATE"])
state = json.loads(state_path.read_text()) if state_path.exists() else {"next": 1, "comments": []}
args = sys.argv[1:]
assert args[0] == "api", args
assert os.environ.get("GH_TOKEN"), "gh needs GH_TOKEN"
args = args[1:]
method, body = "GET", None
rest = []
while args:
    arg = args.pop(0)
    if arg == "--paginate":
        continue
    if arg == "--method":
        method = args.pop(0)
    elif arg == "-F":
        key, value = args.pop(0).split("=", 1)
        assert key == "body" and value.startswith("@"), (key, value)
        body = Path(value[1:]).read_text()
    else:
        rest.append(arg)
(path,) = rest
parts = path.split("/")
if method == "GET" and parts[3:] == [parts[3], parts[4], "comments"] and parts[3] == "issues":
    print(json.dumps([{"id": c["id"], "body": c["body"]} for c in state["comments"] if c["issue"] == parts[4]]))
elif method == "POST" and parts[3] == "issues" and parts[5] == "comments":
    state["comments"].append({"id": state["next"], "issue": parts[4], "body": body})
    state["next"] += 1
elif method == "PATCH" and parts[3:5] == ["issues", "comments"]:
    (comment,) = [c for c in state["comments"] if c["id"] == int(parts[5])]
    comment["body"] = body
else:
    sys.exit(f"fake gh: unexpected call {sys.argv[1:]}")
state_path.write_text(json.dumps(state))
