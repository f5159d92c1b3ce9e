#!/usr/bin/env python3
"""Validates JSON documents (files, or stdin with "-") against schema/earlybind.schema.json.
Prints one line per document; exit 1 when any does not validate."""
import json
import os
import sys

import jsonschema

schema_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema",
                           "earlybind.schema.json")
with open(schema_path) as f:
    schema = json.load(f)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for name in sys.argv[1:] or ["-"]:
    doc = json.load(sys.stdin if name == "-" else open(name))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        bad += 1
        # the best match names the failing field of the intended branch
        best = jsonschema.exceptions.best_match(errors)
        print("%s: INVALID at %s: %s" % (name, "/".join(map(str, best.path)), best.message[:300]))
    else:
        print("%s: valid (%s)" % (name, doc.get("command", "state")))
sys.exit(1 if bad else 0)
