"""A model of how Powertools for Python (v3) lays out an EMF blob, to derive the Go golden files from.

It follows the rules of aws_lambda_powertools/metrics/provider/cloudwatch_emf/cloudwatch.py, written
here from their description rather than copied:

* the dimension set is one dict: the default dimensions first, then each add_dimension (a name added
  again keeps its place and takes the new value);
* at serialization the service, when one is set and the dict has no "service" key yet, is added last;
* the blob is {"_aws": {...}, **dimensions, **metadata, **metrics}, dumped with separators (",", ":"), so
  the key order is the dicts' insertion order and floats are written with repr ("1.0", "1e-05");
* the ColdStart blob is a single_metric with the dimensions function_name, then service (when set);
* single_metric carries the default dimensions it is given, then its own, and no service (a Metrics built
  with service=..., POWERTOOLS_SERVICE_NAME unset).

Run: python3 testdata/metrics/python_model.py  -> one JSON object {case: [blob, ...]} on stdout.
"""

import json

TS = 1714736832494
NS = "ServerlessAirline"


class Provider:
    def __init__(self, service=None, default_dimensions=None):
        self.service = service
        self.dimensions = dict(default_dimensions or {})
        self.metadata = {}
        self.metrics = {}

    def add_dimension(self, name, value):
        self.dimensions[name] = value

    def add_metadata(self, key, value):
        self.metadata[key] = value

    def add_metric(self, name, unit, value, resolution=60):
        m = self.metrics.setdefault(name, {"Unit": unit, "StorageResolution": resolution, "Value": []})
        m["Value"].append(float(value))

    def serialize(self):
        if self.service and not self.dimensions.get("service"):
            self.dimensions["service"] = self.service
        definitions, values = [], {}
        for name, m in self.metrics.items():
            d = {"Name": name, "Unit": m["Unit"]}
            if m["StorageResolution"] == 1:
                d["StorageResolution"] = 1
            definitions.append(d)
            values[name] = m["Value"]
        blob = {
            "_aws": {
                "Timestamp": TS,
                "CloudWatchMetrics": [{"Namespace": NS, "Dimensions": [list(self.dimensions)], "Metrics": definitions}],
            },
            **self.dimensions,
            **self.metadata,
            **values,
        }
        return json.dumps(blob, separators=(",", ":"), ensure_ascii=True)


def single(name, unit, value, dims=(), default_dimensions=None, resolution=60):
    p = Provider(default_dimensions=default_dimensions)
    for k, v in dims:
        p.add_dimension(k, v)
    p.add_metric(name, unit, value, resolution)
    return p.serialize()


def cold_start(function_name, service):
    dims = [("function_name", function_name)]
    if service:
        dims.append(("service", service))
    return single("ColdStart", "Count", 1, dims)


def case_basic():
    p = Provider(service="booking")
    p.add_metric("SuccessfulBooking", "Count", 1)
    return [p.serialize()]


def case_dimension_order():
    p = Provider(service="booking", default_dimensions={"environment": "prod", "team": "core"})
    p.add_dimension("operation", "book")
    p.add_dimension("region", "eu-west-1")
    p.add_metric("Booked", "Count", 1)
    return [p.serialize()]


def case_service_override_keeps_place():
    p = Provider(service="booking", default_dimensions={"environment": "prod"})
    p.add_dimension("operation", "book")
    p.add_dimension("service", "payments")
    p.add_dimension("region", "eu-west-1")
    p.add_metric("Booked", "Count", 1)
    return [p.serialize()]


def case_dimensions_metadata():
    p = Provider(service="booking", default_dimensions={"environment": "prod", "team": "core"})
    p.add_dimension("operation", "confirm_booking")
    p.add_dimension("environment", "staging")
    for k, v in [("booking_id", "b-123"), ("attempt", 3), ("retried", True), ("ratio", 0.25), ("ratio32", 0.1),
                 ("tags", ["a", 'b"c']), ("nested", {"k": "v", "n": 1}), ("nothing", None),
                 ("note", "line1\nline2 \u2028 é"), ("attempt", 4)]:
        p.add_metadata(k, v)
    p.add_metric("BookingConfirmation", "Count", 1)
    return [p.serialize()]


def case_non_ascii():
    p = Provider(service="booking")
    p.add_dimension("city", "Zürich")
    p.add_metadata("note", "🙂 ok\u2028")
    p.add_metadata("tags", {"ß": "日本"})
    p.add_metric("Visits", "Count", 1)
    return [p.serialize()]


def case_no_service():
    p = Provider()
    p.add_metric("SuccessfulBooking", "Count", 1)
    return [p.serialize()]


def case_no_service_default_dimensions():
    p = Provider(default_dimensions={"environment": "prod"})
    p.add_metric("SuccessfulBooking", "Count", 1)
    return [p.serialize()]


def case_cold_start():
    p = Provider(service="booking", default_dimensions={"environment": "prod"})
    p.add_metric("SuccessfulBooking", "Count", 1)
    return [cold_start("booking-fn", "booking"), p.serialize()]


def case_no_service_cold_start():
    p = Provider(default_dimensions={"environment": "prod"})
    p.add_metric("SuccessfulBooking", "Count", 1)
    return [cold_start("booking-fn", None), p.serialize()]


def case_single_metric():
    defaults = {"environment": "prod"}
    p = Provider(service="booking", default_dimensions=defaults)
    p.add_dimension("operation", "book")
    p.add_metadata("booking_id", "b-1")
    p.add_metric("InSet", "Count", 1)
    return [
        single("Payment", "Count", 1, [("gateway", "stripe"), ("environment", "dev")], defaults),
        single("PaymentLatency", "Milliseconds", 42, [("gateway", "stripe")], defaults, resolution=1),
        p.serialize(),
    ]


def case_values_units_resolution():
    p = Provider(service="booking")
    for name, unit, value, res in [("Latency", "Milliseconds", 12.5, 60), ("Latency", "Milliseconds", 7, 60),
                                   ("Latency", "Milliseconds", 130.25, 60), ("Hits", "Count/Second", 3, 1),
                                   ("Tiny", "Percent", 1e-5, 60), ("Huge", "Bytes", 1e16, 60),
                                   ("NegativeZero", "None", -0.0, 60), ("Large", "Count", 123456789, 60),
                                   ("Throughput", "Megabytes/Second", 0.0001, 60)]:
        p.add_metric(name, unit, value, res)
    return [p.serialize()]


if __name__ == "__main__":
    cases = {name[len("case_"):]: fn() for name, fn in sorted(globals().items()) if name.startswith("case_")}
    print(json.dumps(cases))
