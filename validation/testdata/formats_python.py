# Writes formats_python.json: the verdict of fastjsonschema (the validator of Powertools for AWS Lambda
# (Python)) for each format and value, plus a custom format and an unknown one.
#   cd validation/testdata && /usr/bin/python3 formats_python.py   (Debian: python3-fastjsonschema)
import json
import fastjsonschema

values = {
    "date-time": ["2024-02-29T12:30:00Z", "2024-02-29T12:30:00.123+02:00", "2023-02-29T12:30:00Z", "2024-01-01 12:00:00Z",
                  "2024-01-01T25:00:00Z", "2024-01-01T12:00:00", "2024-01-01t12:00:00z", "x"],
    "date": ["2024-02-29", "2023-02-29", "2024-13-01", "2024-1-01", "20240101"],
    "time": ["12:30:00Z", "12:30:00.5+01:00", "25:00:00Z", "12:30Z", "12:30:00"],
    "email": ["buyer@example.com", "a.b+c@sub.example.org", "x", "@example.com", "a@", "a b@example.com", "a@b@c.com"],
    "hostname": ["example.com", "a-b.example.com", "-a.example.com", "a..b", "a" * 64 + ".com", "exa_mple.com"],
    "ipv4": ["192.168.0.1", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4 "],
    "ipv6": ["::1", "2001:db8::1", "2001:db8:::1", "12345::", "1.2.3.4"],
    "uri": ["https://example.com/a?b=c#d", "urn:isbn:0451450523", "/relative/path", "not a uri", "http://exa mple.com"],
    "uuid": ["123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g"],
    "regex": ["^a+$", "[a-", "(?P<x>a)"],
    "json-pointer": ["", "/a/b", "/a~1b", "a/b", "/a~2"],
}
cases = []
for fmt, vs in values.items():
    for v in vs:
        try:
            fastjsonschema.validate({"type": "string", "format": fmt}, v)
            ok = True
        except fastjsonschema.JsonSchemaException:
            ok = False
        cases.append({"format": fmt, "value": v, "valid": ok})
# non-strings pass a string format
for fmt in ["email", "date"]:
    try:
        fastjsonschema.validate({"format": fmt}, 5)
        ok = True
    except fastjsonschema.JsonSchemaException:
        ok = False
    cases.append({"format": fmt, "value": 5, "valid": ok})
# a custom format, as Python's validate(..., formats=) takes it
custom = {"sku": lambda v: isinstance(v, str) and v.startswith("SKU-")}
for v in ["SKU-1", "X-1"]:
    try:
        fastjsonschema.validate({"type": "string", "format": "sku"}, v, formats=custom)
        ok = True
    except fastjsonschema.JsonSchemaException:
        ok = False
    cases.append({"format": "sku", "value": v, "valid": ok, "custom": True})
# an unknown format: Python refuses the schema
try:
    fastjsonschema.validate({"type": "string", "format": "no-such-format"}, "x")
    unknown = "accepted"
except fastjsonschema.JsonSchemaDefinitionException as e:
    unknown = "schema refused: " + str(e)
with open("formats_python.json", "w") as f:
    json.dump({"cases": cases, "unknown_format": unknown}, f, indent=1)
    f.write("\n")
