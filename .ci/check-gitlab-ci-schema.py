"""Validates .gitlab-ci.yml against GitLab's own JSON Schema (the one its pipeline editor uses).

The schema is app/assets/javascripts/editor/schema/ci.json of gitlabhq/gitlabhq (MIT) at commit
0286e4c628d68960d0ca9e961d82c3ea6ac90633, formatted by Biome. PyYAML and jsonschema come with cfn-lint.
"""
import json
import pathlib
import sys

import jsonschema
import yaml

here = pathlib.Path(__file__).parent
schema = json.loads((here / "gitlab-ci.schema.json").read_text(encoding="utf-8"))
pipeline = yaml.safe_load((here.parent / ".gitlab-ci.yml").read_text(encoding="utf-8"))
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(pipeline), key=lambda e: list(e.absolute_path))
for error in errors:
    where = " > ".join(str(part) for part in error.absolute_path) or "top level"
    print(f".gitlab-ci.yml: {where}: {error.message}", file=sys.stderr)
print(f".gitlab-ci.yml: {len(errors)} schema error(s)")
sys.exit(1 if errors else 0)
