"""moto's server with the e2e harness's workarounds applied at start (never in netrecon's product code).

Run as `python3 e2e/moto/server.py -H localhost -p PORT` (same flags as `python3 -m moto.server`).
Each patch below fixes one moto 5.2.1 behaviour that differs from AWS and that netrecon's deploy or answers
depend on; docs/testing.md lists them with the probe that shows each defect (e2e/moto-probes.ts). The
harness reads the `netrecon-e2e:` lines this prints to know which patches are active.
Set NETRECON_E2E_MOTO_PATCHES=none to run moto unpatched (the probes do, to verify the defects themselves).
"""

import io
import json
import os
import re
import sys
import threading
import warnings
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

import moto
from moto.cloudformation import parsing
from moto.cloudwatch import models as cloudwatch_models
from moto.core.common_models import CloudFormationModel
import moto.core.responses as core_responses
import moto.server as moto_server


def say(message: str) -> None:
    print(f"netrecon-e2e: {message}", flush=True)


def patch_dimension_order() -> None:
    """GetMetricData matches a MetricStat's dimensions in the order they were put.

    moto compares `sorted(datum.dimensions) == sorted(query dimensions)`, but `Dimension.__lt__` is
    `self.name < other.name and self.value < other.name`, not an ordering, so `sorted` keeps the input order and
    a query that lists the same dimensions in another order gets no data. CloudWatch treats dimensions as a set.
    """
    def dimension_lt(self, other):  # type: ignore[no-untyped-def]
        return (self.name or "", self.value or "") < (other.name or "", other.value or "")

    cloudwatch_models.Dimension.__lt__ = dimension_lt
    say("patch dimension-order: GetMetricData matches dimensions as a set")


def patch_get_metric_data_speed() -> None:
    """GetMetricData scans every stored datapoint once per query *and per period* of the window.

    One call of 350 MetricStat queries over 24 h at a 300 s period against ~7,000 seeded datapoints takes 44 s
    (measured), and netrecon's first run looks back up to 24 h. This replacement gives the same answers for
    MetricStat-only requests (same statistics code, same bucket starts at StartTime + n x Period) in one pass
    per query, and also checks the namespace, which moto's own code ignores when the query has dimensions.
    Requests with an Expression (metric math, SEARCH, Metrics Insights) go to moto's original code.
    """
    from collections import defaultdict
    from datetime import timedelta

    backend = cloudwatch_models.CloudWatchBackend
    original = backend.get_metric_data
    Statistics = cloudwatch_models.Statistics
    Dimension = cloudwatch_models.Dimension

    def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):  # type: ignore[no-untyped-def]
        start_time = start_time.replace(microsecond=0)
        end_time = end_time.replace(microsecond=0)
        if start_time >= end_time or any("MetricStat" not in q for q in queries):
            return original(self, queries, start_time, end_time, scan_by)
        index: dict = defaultdict(list)
        for md in self.get_all_metrics():
            if start_time <= md.timestamp < end_time:
                index[(md.namespace, md.name)].append(md)
        results = []
        for query in queries:
            metric_stat = query["MetricStat"]
            metric = metric_stat["Metric"]
            period = int(metric_stat["Period"])
            stat = metric_stat["Stat"]
            unit = metric_stat.get("Unit")
            wanted = sorted(Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
            buckets: dict = defaultdict(list)
            for md in index.get((metric["Namespace"], metric["MetricName"]), []):
                if wanted and sorted(md.dimensions) != wanted:
                    continue
                if unit and md.unit != unit:
                    continue
                buckets[int((md.timestamp - start_time).total_seconds()) // period].append(md)
            values, timestamps = [], []
            for n in sorted(buckets):
                stats = Statistics([stat], start_time + timedelta(seconds=n * period))
                stats.metric_data = buckets[n]
                values.append(stats.get_statistics_for_type(stat))
                timestamps.append(stats.timestamp)
            if scan_by == "TimestampDescending":
                values.reverse()
                timestamps.reverse()
            if query.get("ReturnData", True):
                label = query.get("Label") or f"{metric['MetricName']} {stat}"
                results.append({"id": query["Id"], "label": label, "values": values, "timestamps": timestamps, "status_code": "Complete"})
        return results

    backend.get_metric_data = get_metric_data
    say("patch get-metric-data-speed: MetricStat queries answered in one pass (and namespace checked)")


def patch_list_metrics_speed() -> None:
    """ListMetrics compares every matching datapoint with every series already listed: O(n^2) in the datapoints.

    `get_filtered_metrics` calls `MetricDatumBase.filter(..., already_present_metrics=<the list so far>)` for each
    stored datapoint, and since a series of two or more dimensions is listed once per datapoint (the
    `listmetrics-duplicates` defect, kept on purpose), that list grows with the datapoints: one ListMetrics of
    net_bytes_recv over the ~4,100 agent datapoints of the full suite took 5 s (measured), and the profile and
    doctor steps list the agent's metrics about 25 times. This replacement gives the same answer in one pass:
    moto's `are_dimensions_same` is true only when every dimension of both lists is the same Name=Value (for one
    dimension: the same dimension; for more: never, in practice), so a set of those series stands for the loop.
    The duplicates of multi-dimension series stay exactly as moto lists them.
    """
    backend = cloudwatch_models.CloudWatchBackend
    Dimension = cloudwatch_models.Dimension

    def get_filtered_metrics(self, metric_name, namespace, dimensions):  # type: ignore[no-untyped-def]
        wanted = [Dimension(d["Name"], d.get("Value")) for d in dimensions or []]
        listed_once: set = set()
        out = []
        for md in self.get_all_metrics():
            if (namespace and namespace != md.namespace) or (metric_name and metric_name != md.name):
                continue
            dims = [(d.name, d.value) for d in md.dimensions]
            key = (md.namespace, md.name, len(dims), dims[0]) if dims and all(d == dims[0] for d in dims) else None
            if key is not None and key in listed_once:
                continue
            if wanted and any(w not in md.dimensions for w in wanted):
                continue
            if key is not None:
                listed_once.add(key)
            out.append(md)
        return out

    backend.get_filtered_metrics = get_filtered_metrics
    say("patch list-metrics-speed: ListMetrics answered in one pass (same answers, duplicates included)")


PLACEHOLDER_PREFIX = "moto-placeholder"


def make_placeholder(resource_type: str) -> type:
    """A CloudFormation model that creates nothing but answers Ref and Fn::GetAtt.

    moto's CloudFormation skips types it does not implement (AWS::CloudWatch::Alarm, AWS::CloudWatch::CompositeAlarm,
    AWS::Scheduler::Schedule, AWS::Lambda::EventInvokeConfig, ...) and then fails the whole stack with
    "Fn::GetAtt references undefined resource" as soon as another resource refers to one (a composite alarm's
    rule and a dashboard's alarm widget both use the alarms' Arn). The placeholder lets the stack deploy; its
    physical id starts with `moto-placeholder` so the harness never counts it as a created resource.
    """
    service = resource_type.split("::")[1].lower() if resource_type.count("::") >= 2 else "unknown"

    class Placeholder(CloudFormationModel):
        # moto's model registry derives the service from the module path (moto.<service>.models).
        __module__ = "moto.cloudformation.e2e_placeholders"

        def __init__(self, logical_id: str, region: str, account: str) -> None:
            self.logical_id = logical_id
            self.physical_resource_id = f"{PLACEHOLDER_PREFIX}-{logical_id}"
            self.arn = f"arn:aws:{service}:{region}:{account}:{PLACEHOLDER_PREFIX}/{logical_id}"

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @staticmethod
        def cloudformation_type() -> str:
            return resource_type

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return True

        def get_cfn_attribute(self, attribute_name: str) -> str:
            return self.arn if attribute_name.endswith("Arn") else self.physical_resource_id

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
            say(f"placeholder created {resource_type} {kwargs.get('LogicalId', resource_name)}")
            return cls(kwargs.get("LogicalId", resource_name), region_name, account_id)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
            return None

    Placeholder.__name__ = f"Placeholder_{resource_type.replace('::', '_')}"
    return Placeholder


def patch_unsupported_cloudformation_types() -> None:
    original = parsing.resource_class_from_type
    placeholders: dict[str, type] = {}

    def resource_class_from_type(resource_type: str):  # type: ignore[no-untyped-def]
        # moto runs a custom resource's Lambda in Docker, which these machines do not have: placeholder too.
        custom = resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource"
        found = None if custom else original(resource_type)
        if found is not None or resource_type in parsing.NULL_MODELS:
            return found
        if resource_type not in placeholders:
            placeholders[resource_type] = make_placeholder(resource_type)
            say(f"placeholder type {resource_type}")
        return placeholders[resource_type]

    parsing.resource_class_from_type = resource_class_from_type
    say("patch cfn-placeholders: unsupported CloudFormation types answer Ref/GetAtt and create nothing")


def patch_launch_time() -> None:
    """EC2 instances are always launched "now" (moto has no clock control in server mode).

    netrecon treats a node launched after a period's start as partial in that period, and the seeded data is
    in the past, so RunInstances backdates LaunchTime by NETRECON_E2E_EC2_LAUNCH_AGE_SECONDS: the seeded nodes
    have been running for that long, as long-lived EKS nodes have.
    """
    age = int(os.environ.get("NETRECON_E2E_EC2_LAUNCH_AGE_SECONDS", "0"))
    if age <= 0:
        return
    from datetime import timedelta

    from moto.ec2.models.instances import Instance

    original_init = Instance.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        self.launch_time = self.launch_time - timedelta(seconds=age)

    Instance.__init__ = init
    say(f"patch launch-time: RunInstances backdates LaunchTime by {age} s")


GZIP_MAGIC = b"\x1f\x8b"


def patch_double_gzip() -> None:
    """A gzip-encoded request body fails with HTTP 500 BadGzipFile.

    The server's Flask app already inflates `Content-Encoding: gzip` bodies (a before_request hook), then
    BaseResponse.setup_class inflates them again because the header is still there. The SDKs compress
    PutMetricData bodies over 10 KiB, which the deployed Lambda does for real; patching the second inflation
    (instead of setting AWS_DISABLE_REQUEST_COMPRESSION) keeps that compressed path under test.
    """
    original = core_responses.gzip_decompress

    def decompress_once(body: Any) -> Any:
        if isinstance(body, (bytes, bytearray)) and not bytes(body[:2]) == GZIP_MAGIC:
            return body
        return original(body)

    core_responses.gzip_decompress = decompress_once
    say("patch double-gzip: gzip-encoded request bodies are inflated once")


CALLS: Counter = Counter()
CALLS_LOCK = threading.Lock()
CALLS_PATH = "/netrecon-e2e/calls"
SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


def operation_of(environ: dict[str, Any], body: bytes) -> str:
    """service:Operation from the request, for the per-step call counts the suite prints."""
    match = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = match.group(1) if match else "unsigned"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    path = environ.get("PATH_INFO", "")
    if "/operation/" in path:  # Smithy RPC v2 CBOR
        return f"{service}:{path.rsplit('/', 1)[-1]}"
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if not action and body and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        try:
            action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        except ValueError:
            action = None
    if action:
        return f"{service}:{action[0]}"
    # REST protocols (S3, Lambda): the method and the path with bucket, key and function names elided.
    if service == "s3":
        shape = re.sub(r"/[^/]+", "/*", path)
    else:
        shape = re.sub(r"/functions/[^/]+", "/functions/*", path)
    return f"{service}:{environ.get('REQUEST_METHOD', '?')} {shape}"


class CountingApplication(moto_server.DomainDispatcherApplication):  # type: ignore[misc]
    """Counts requests by service and operation; GET /netrecon-e2e/calls returns the counts as JSON."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == CALLS_PATH:
            with CALLS_LOCK:
                payload = json.dumps(dict(CALLS)).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]
        body = b""
        if "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", "") and not environ.get("HTTP_CONTENT_ENCODING"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
        if not environ.get("PATH_INFO", "").startswith("/moto-api"):
            with CALLS_LOCK:
                CALLS[operation_of(environ, body)] += 1
        return super().__call__(environ, start_response)


def main() -> None:
    say(f"moto {moto.__version__} python {sys.version.split()[0]}")
    if not moto.__version__.startswith("5.2."):
        say(f"warning: the patches were written for moto 5.2.x, this is {moto.__version__}; check docs/testing.md")
    if os.environ.get("NETRECON_E2E_MOTO_PATCHES", "all") != "none":
        patch_double_gzip()
        patch_dimension_order()
        patch_get_metric_data_speed()
        patch_list_metrics_speed()
        patch_unsupported_cloudformation_types()
        patch_launch_time()
    else:
        say("no patches (NETRECON_E2E_MOTO_PATCHES=none)")
    # moto warns once per unsupported type; the placeholder lines above say the same thing.
    warnings.filterwarnings("ignore", message="Tried to parse")
    moto_server.DomainDispatcherApplication = CountingApplication
    say(f"calls counted at {CALLS_PATH}")
    moto_server.main(sys.argv[1:])


if __name__ == "__main__":
    main()
