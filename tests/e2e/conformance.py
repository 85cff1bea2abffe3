"""Every request the binary sends, held to botocore's service models: the
action exists, every parameter is one of its input shape's (serialized as
the service's protocol says: EC2's flattened `Filter.1.Value.1`, the Query
protocol's `member.N` and `entry.N.key`), scalars have the shape's type,
range and enum, and the required members are there; JSON 1.1 bodies (SSM,
Organizations) go through botocore's own ParamValidator. moto accepts much
that AWS refuses; this does not."""
import botocore.session
import botocore.validate

_SESSION = botocore.session.get_session()
_MODELS = {}
# The Query protocol's Version names the service.
VERSIONS = {"2016-11-15": "ec2", "2010-03-31": "sns", "2011-06-15": "sts", "2010-08-01": "cloudwatch"}
# X-Amz-Target's prefix names a JSON 1.1 service.
TARGETS = {"AmazonSSM": "ssm", "AWSOrganizationsV20161128": "organizations"}


def _model(service):
    if service not in _MODELS:
        _MODELS[service] = _SESSION.get_service_model(service)
    return _MODELS[service]


def _name(member_name, shape, protocol):
    s = shape.serialization
    if protocol == "ec2":
        if s.get("queryName"):
            return s["queryName"]
        if s.get("name"):
            return s["name"][0].upper() + s["name"][1:]
        return member_name
    return s.get("name") or member_name


def _scalar(shape, value, where):
    t = shape.type_name
    if t in ("integer", "long"):
        try:
            n = int(value)
        except ValueError:
            return ["%s: %r is not an integer" % (where, value)]
        lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            return ["%s: %d is out of [%s, %s]" % (where, n, lo, hi)]
        return []
    if t == "boolean":
        return [] if value in ("true", "false") else ["%s: %r is not true/false" % (where, value)]
    if t == "string":
        enum = shape.enum
        if enum and value not in enum:
            return ["%s: %r is not one of %s" % (where, value, enum)]
        return []
    return []  # timestamps, floats, blobs: taken as sent


def _walk(shape, tokens, value, protocol, where):
    t = shape.type_name
    if t == "structure":
        if not tokens:
            return ["%s: a structure given a value" % where]
        for member_name, member in shape.members.items():
            if _name(member_name, member, protocol) == tokens[0]:
                return _walk(member, tokens[1:], value, protocol, where + "." + tokens[0])
        return ["%s: no parameter %r in %s" % (where, tokens[0], shape.name)]
    if t == "list":
        flattened = protocol == "ec2" or shape.serialization.get("flattened")
        if not flattened:
            if not tokens or tokens[0] != "member":
                return ["%s: a list needs .member.N" % where]
            tokens = tokens[1:]
        if not tokens or not tokens[0].isdigit() or int(tokens[0]) < 1:
            return ["%s: a list index must be 1, 2, ..." % where]
        return _walk(shape.member, tokens[1:], value, protocol, where + "." + tokens[0])
    if t == "map":
        if len(tokens) < 3 or tokens[0] != "entry" or not tokens[1].isdigit() or tokens[2] not in ("key", "value"):
            return ["%s: a map needs .entry.N.key/value" % where]
        inner = shape.key if tokens[2] == "key" else shape.value
        return _walk(inner, tokens[3:], value, protocol, where + ".entry")
    if tokens:
        return ["%s: %s is a %s, not a structure" % (where, ".".join(tokens), t)]
    return _scalar(shape, value, where)


def query_problems(params):
    """What is wrong with one Query/EC2 request (its form fields)."""
    service = VERSIONS.get(params.get("Version", ""))
    if service is None:
        return ["unknown API version %r" % params.get("Version")]
    model = _model(service)
    action = params.get("Action", "")
    if action not in model.operation_names:
        return ["%s has no operation %r" % (service, action)]
    shape = model.operation_model(action).input_shape
    protocol = model.metadata["protocol"]
    out = []
    if shape is None:
        return [k for k in params if k not in ("Action", "Version")]
    for key, value in params.items():
        if key in ("Action", "Version"):
            continue
        out += _walk(shape, key.split("."), value, protocol, action)
    for required in shape.required_members:
        name = _name(required, shape.members[required], protocol)
        if not any(k == name or k.startswith(name + ".") for k in params):
            out.append("%s: the required %s is missing" % (action, name))
    return out


def json_problems(target, body):
    """What is wrong with one JSON 1.1 request (X-Amz-Target, parsed body)."""
    prefix, _, action = target.partition(".")
    service = TARGETS.get(prefix)
    if service is None:
        return ["unknown target %r" % target]
    model = _model(service)
    if action not in model.operation_names:
        return ["%s has no operation %r" % (service, action)]
    report = botocore.validate.ParamValidator().validate(body, model.operation_model(action).input_shape)
    return [report.generate_report()] if report.has_errors() else []
