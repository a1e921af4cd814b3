"""NENA's EIDO JSON schema (schemas/eido-openapi.yaml) as a validator for our documents.

The schema is an OpenAPI 3.0.2 file: its component schemas are OpenAPI Schema
Objects, an extended subset of JSON Schema draft Wright-00 (draft 5), whose
validation keywords are draft 4's. So the documents are checked with
jsonschema's Draft4Validator, against one wrapper schema that holds the
components and refers to EmergencyIncidentDataObjectType, so that every
`$ref: '#/components/schemas/…'` resolves inside it. What OpenAPI needs done
first, done here on a copy, the file itself unchanged:

- `nullable: true` (OpenAPI's, not JSON Schema's) would become "or null"; the
  EIDO schema uses none today, so this is only a guard.
- `minItems: 1,` (AgentType.agentRoleRegistryText) is a typo in the published
  file that YAML reads as the string "1,"; read as 1.
- The NIEM components (`NIEMComponents/nc.yaml#…`, person, organisation,
  vehicle, item) are not copied: such a reference becomes a schema nothing
  matches, so a document that used one fails here instead of passing unchecked.
- `example` and `description` are annotations draft 4 ignores.

The published schema declares no `additionalProperties: false`, so a misspelt
field would pass; `undeclared_fields` finds the names the schema does not
declare, and `dangling_references` the `{"$ref": …}` that name no `$id` of
the document.
"""

from functools import cache
from pathlib import Path

import yaml
from jsonschema import Draft4Validator

SCHEMA_FILE = Path(__file__).parent / "schemas" / "eido-openapi.yaml"
ROOT = "EmergencyIncidentDataObjectType"
MATCHES_NOTHING = {"not": {}, "description": "A NIEM component (not copied here)."}


def _openapi_to_json_schema(node):
    if isinstance(node, list):
        return [_openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str) and not node["$ref"].startswith("#/"):
        return MATCHES_NOTHING
    converted = {key: _openapi_to_json_schema(value) for key, value in node.items()}
    if isinstance(converted.get("minItems"), str):
        converted["minItems"] = int(converted["minItems"].strip(" ,"))
    if converted.pop("nullable", False):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def components() -> dict:
    document = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    return _openapi_to_json_schema(document["components"]["schemas"])


@cache
def validator() -> Draft4Validator:
    schema = {"$ref": f"#/components/schemas/{ROOT}", "components": {"schemas": components()}}
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def schema_errors(document: dict) -> list[str]:
    """Every way the document breaks NENA's schema, as `path: message`."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator().iter_errors(document)
    ]


def _resolved(schema: dict) -> dict:
    while "$ref" in schema:
        schema = components()[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _declared(schema: dict) -> dict:
    """The properties a schema declares, its allOf parts' included."""
    schema = _resolved(schema)
    properties = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        properties.update(_declared(part))
    return properties


def undeclared_fields(instance, schema: dict | None = None, path: str = "") -> list[str]:
    """Paths of the fields the schema does not declare (a typo would pass the schema)."""
    schema = _resolved(schema or {"$ref": f"#/components/schemas/{ROOT}"})
    found = []
    if isinstance(instance, list):
        items = schema.get("items", {})
        for index, item in enumerate(instance):
            found += undeclared_fields(item, items, f"{path}/{index}")
    elif isinstance(instance, dict):
        declared = _declared(schema)
        for key, value in instance.items():
            if key not in declared:
                found.append(f"{path}/{key}")
            else:
                found += undeclared_fields(value, declared[key], f"{path}/{key}")
    return found


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def dangling_references(document: dict) -> list[str]:
    """`{"$ref": …}` values that name no component of the document."""
    ids = {node["$id"] for node in _walk(document) if isinstance(node.get("$id"), str)}
    return sorted(
        {
            node["$ref"]
            for node in _walk(document)
            if set(node) == {"$ref"} and node["$ref"] not in ids
        }
    )


def assert_valid_eido(document: dict) -> None:
    assert schema_errors(document) == []
    assert undeclared_fields(document) == []
    assert dangling_references(document) == []
