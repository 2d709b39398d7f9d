"""OpenAPI post-processing: every operation declares the errors the API answers it with.

DRF answers a bad parameter or body with 400 (`{"<field>": ["..."]}`, or `{"code", "detail"}`
when a rule refuses the request), an unknown object in the path with 404 (`{"detail"}`); a
client generated from the schema must know those shapes. Views declare their own 409 (a
conflict is particular to a view); this hook adds the 400 and 404 every view shares, unless the
view documented its own, and gives each a body schema."""

from typing import Any

ERROR = {
    "type": "object",
    "description": "A refusal: `detail` says why; `code` names the rule when one refused it.",
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Bad input: each key names the parameter or field at fault (nested for nested input), "
        "with its messages; or `{code, detail}` when a rule refuses the request."
    ),
    "additionalProperties": True,
}


def _body(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if operation.get("parameters") or "requestBody" in operation:
                responses.setdefault("400", {"description": "Bad input (see the body for which)."})
            if "{" in path:
                responses.setdefault("404", {"description": "No such object."})
            for code, name in (("400", "ValidationError"), ("404", "Error"), ("409", "Error")):
                if code in responses and not responses[code].get("content"):
                    responses[code]["content"] = _body(name)
    return result
