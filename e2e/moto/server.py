"""moto's server with the e2e harness's workarounds applied at start (never in netrecon's product code).

Run as `python3 e2e/moto/server.py -H localhost -p PORT` (same flags as `python3 -m moto.server`).
Each patch below fixes one moto 5.2.1 behaviour that differs from AWS and that netrecon's deploy or answers
depend on; docs/testing.md lists them with the probe that shows each defect (e2e/moto-probes.ts). The
harness reads the `netrecon-e2e:` lines this prints to know which patches are active.
Set NETRECON_E2E_MOTO_PATCHES=none to run moto unpatched (the probes do, to verify the defects themselves).
"""

import os
import sys
import warnings

import moto
from moto.cloudformation import parsing
from moto.cloudwatch import models as cloudwatch_models
from moto.core.common_models import CloudFormationModel
from moto.server import main as moto_main


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
        found = original(resource_type)
        if found is not None or resource_type in parsing.NULL_MODELS:
            return found
        if resource_type not in placeholders:
            placeholders[resource_type] = make_placeholder(resource_type)
            say(f"placeholder type {resource_type}")
        return placeholders[resource_type]

    parsing.resource_class_from_type = resource_class_from_type
    say("patch cfn-placeholders: unsupported CloudFormation types answer Ref/GetAtt and create nothing")


def main() -> None:
    say(f"moto {moto.__version__} python {sys.version.split()[0]}")
    if not moto.__version__.startswith("5.2."):
        say(f"warning: the patches were written for moto 5.2.x, this is {moto.__version__}; check docs/testing.md")
    if os.environ.get("NETRECON_E2E_MOTO_PATCHES", "all") != "none":
        patch_dimension_order()
        patch_unsupported_cloudformation_types()
    else:
        say("no patches (NETRECON_E2E_MOTO_PATCHES=none)")
    # moto warns once per unsupported type; the placeholder lines above say the same thing.
    warnings.filterwarnings("ignore", message="Tried to parse")
    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
