"""Expected lines of TestLoggerPythonDialect, written the way Powertools for AWS Lambda (Python) v3
writes them: the LambdaPowertoolsFormatter algorithm (a dict of the default keys, updated by
append_keys, then by the call's extra keys, then exception, exception_name, stack_trace and
xray_trace_id, None values stripped) serialized with json.dumps(separators=(",", ":"),
ensure_ascii=False), as formatter.py does. Run: python3 testdata/logger/python/generate.py

Placeholders the Go test normalizes to: "LOCATION" for location, "FRAMES" for stack_trace frames
(checked by TestLoggerStackTraceFrames). Where Go has no Python equivalent, the Go value is used:
exception is the error's text (Python writes the formatted traceback), exception_name and the
stack_trace type are Go type names ("error" for a plain error, "*fs.PathError"), module a Go package.
"""
import json
import os
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:hello"
CREATED = datetime(2021, 5, 3, 11, 47, 12, 494000, tzinfo=timezone.utc)
DEFAULT_TS = CREATED.strftime("%Y-%m-%d %H:%M:%S,") + "494" + CREATED.strftime("%z")
RFC3339_TS = CREATED.isoformat(timespec="milliseconds")
TRACE = "1-5759e988-bd862e3fe1be46a994272793"


def line(level, message, appended=(), extras=(), exc=None, trace=None, sampling=None, ts=DEFAULT_TS,
         stack=True):
    # Logger.__init__: the formatter's log_format, then the keys the Logger appends.
    log_format = dict.fromkeys(["level", "location", "message", "timestamp"])
    log_format.update(level=level, location="LOCATION", timestamp=ts, service="payment")
    if sampling is not None:
        log_format["sampling_rate"] = sampling
    # inject_lambda_context
    log_format.update(cold_start=True, function_name="hello", function_memory_size="128",
                      function_arn=ARN, function_request_id="req-1")
    for k, v in appended:  # append_keys
        log_format[k] = v
    formatted = dict(log_format)  # _extract_log_keys
    for k, v in extras:  # extra=
        formatted[k] = v
    formatted["message"] = message
    text, name, stack_trace = exc if exc else (None, None, None)
    formatted["exception"] = formatted.get("exception", text)
    formatted["exception_name"] = formatted.get("exception_name", name)
    if stack:
        formatted["stack_trace"] = stack_trace
    formatted["xray_trace_id"] = trace
    formatted = {k: v for k, v in formatted.items() if v is not None}
    return json.dumps(formatted, separators=(",", ":"), ensure_ascii=False)


def stack_trace(typ, value, module):
    return {"type": typ, "value": value, "module": module, "frames": ["FRAMES"]}


PATH_ERR = "open /nonexistent/powertools: no such file or directory"

CASES = {
    # 1. Each key once: the user's exception wins over the derived one, the real trace id over a user's
    # xray_trace_id (in the user key's place), sampling_rate and cold_start replaced in place.
    "duplicate-keys": [line(
        "ERROR", "failed", sampling=1.0, trace=TRACE,
        appended=[("xray_trace_id", "user-trace"), ("sampling_rate", 0.5), ("cold_start", False)],
        extras=[("exception", "mine")],
        exc=("boom", "error", stack_trace("error", "boom", "builtin")))],
    # 2. A re-appended key keeps its place.
    "reappend": [line("INFO", "keys", appended=[("a", 1), ("b", 2), ("a", 3)])],
    # 3. Whole floats keep ".0", at the top level and nested; integers stay integers.
    "floats": [line("INFO", "floats", appended=[("appended", 5.0)], extras=[
        ("whole", 12.0), ("int", 12), ("frac", 0.1), ("big", 1e16), ("small", 1.5e-7), ("f32", 2.0),
        ("list", [1.0, 2.5]), ("obj", {"f": 1.0, "i": 1, "nested": [3.0, 4]}),
        ("marshaled", {"v": 7.0, "n": 7}), ("negzero", -0.0)])],
    # 4. Top-level nulls are dropped, nested ones stay.
    "nulls": [line("INFO", "nulls", appended=[("gone", None)], extras=[
        ("nil", None), ("nilptr", None), ("nested", {"inner": None}), ("list", [None, 1]), ("kept", "v")])],
    # 5. stack_trace on an ERROR line with an error; exception_name a Go name; off with
    # WithLogStackTrace(false).
    "exception-name": [line(
        "ERROR", "load failed",
        exc=("load: " + PATH_ERR, "*fs.PathError", stack_trace("*fs.PathError", "load: " + PATH_ERR, "io/fs")))],
    "stack-trace-off": [line("ERROR", "load failed", exc=(PATH_ERR, "*fs.PathError", None), stack=False)],
    # 6. Escaping as json.dumps(ensure_ascii=False).
    "escaping": [line("INFO", "b\bf\fls\u2028ps\u2029\u00e9<&>\x01\x7f", extras=[("k\b", "v\f\u2028")])],
    # 7. sampling_rate right after service, from the environment too.
    "sampling-after-service": [line("INFO", "sampled", sampling=1.0, appended=[("order", "o-1")])],
    # 9. RFC 3339 timestamps end in +00:00.
    "rfc3339": [line("INFO", "rfc", ts=RFC3339_TS)],
}

for name, lines in CASES.items():
    with open(os.path.join(HERE, name + ".golden"), "w", encoding="utf-8") as f:
        for l in lines:
            f.write(l + "\n")
