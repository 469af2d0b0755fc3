# Writes jmespath_python.json: what Powertools for AWS Lambda (Python) gives for each case, with the
# machine's python3 and its jmespath package, the Powertools functions defined as the Python edition
# defines them (one string argument each; json.loads, base64.b64decode, gzip.decompress).
#   cd testdata && python3 jmespath_python.py
import base64, gzip, json, jmespath
from jmespath import functions

class Powertools(functions.Functions):
    @functions.signature({"types": ["string"]})
    def _func_powertools_json(self, value):
        return json.loads(value)

    @functions.signature({"types": ["string"]})
    def _func_powertools_base64(self, value):
        return base64.b64decode(value).decode()

    @functions.signature({"types": ["string"]})
    def _func_powertools_base64_gzip(self, value):
        return gzip.decompress(base64.b64decode(value)).decode()

KINESIS = "Records[*].kinesis.powertools_json(powertools_base64(data))"
SQS = "Records[*].powertools_json(body)"
SNS = "Records[0].Sns.Message | powertools_json(@)"
CWL = "awslogs.powertools_base64_gzip(data) | powertools_json(@).logEvents[*]"
REST = "powertools_json(body)"
sqs_event = {"Records": [{"messageId": "1", "body": "{\"a\":1}"}]}
kinesis_event = {"Records": [{"kinesis": {"data": base64.b64encode(b'{"a":1}').decode()}}]}
cases = [
    ("kinesis envelope over an SQS event", KINESIS, sqs_event),
    ("SNS envelope over an SQS event", SNS, sqs_event),
    ("CloudWatch Logs envelope over an SQS event", CWL, sqs_event),
    ("SQS envelope over a Kinesis event", SQS, kinesis_event),
    ("kinesis envelope over a Kinesis event", KINESIS, kinesis_event),
    ("powertools_json of a number", REST, {"body": 5}),
    ("powertools_json of null", REST, {"body": None}),
    ("powertools_json of a missing key", REST, {}),
    ("powertools_json of an object", REST, {"body": {"a": 1}}),
    ("powertools_base64 of a number", "powertools_base64(data)", {"data": 1}),
    ("powertools_base64_gzip of a list", "powertools_base64_gzip(data)", {"data": []}),
    ("powertools_base64_gzip of null", "powertools_base64_gzip(data)", {}),
    ("a record without a body", SQS, {"Records": [{"body": "{}"}, {"messageId": "2"}]}),
    ("SQS envelope over an empty batch", SQS, {"Records": []}),
]
for s in ["eyJhIjoxfQ===", "eyJhIjoxfQ==", "eyJhIjoxfQ====", "eyJhIjoxfQ=====", "eyJh=IjoxfQ==",
          "eyJhIjoxfQ==eyJiIjoyfQ==", "eyJh\nIjoxfQ==", "eyJhIjox fQ==", "e===", "eyJhIjoxfQ=", "IjEi=="]:
    cases.append(("base64 " + json.dumps(s), "powertools_json(powertools_base64(data))", {"data": s}))

out = []
for name, expr, data in cases:
    case = {"name": name, "expr": expr, "data": data}
    try:
        case["result"] = jmespath.search(expr, data, options=jmespath.Options(custom_functions=Powertools()))
    except Exception as e:
        case["error"] = type(e).__name__ + ": " + str(e)
    out.append(case)
with open("jmespath_python.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
