"""The conformance check (conformance.py) that the oracle runs on every
request of the suite: it passes what botocore's models allow and names what
they refuse, so a green suite means the requests conform, not that the
check is blind."""
from conformance import json_problems, query_problems

EC2 = {"Version": "2016-11-15"}


def test_well_formed_requests_pass():
    assert query_problems(dict(EC2, Action="CreateVolume", AvailabilityZone="us-east-1a", SnapshotId="snap-1",
                               VolumeType="gp3", Iops="3000", ClientToken="t", Encrypted="true",
                               **{"TagSpecification.1.ResourceType": "volume", "TagSpecification.1.Tag.1.Key": "k",
                                  "TagSpecification.1.Tag.1.Value": "v"})) == []
    assert query_problems(dict(EC2, Action="DescribeVolumes", MaxResults="500",
                               **{"Filter.1.Name": "tag:a", "Filter.1.Value.1": "b"})) == []
    assert query_problems({"Version": "2010-03-31", "Action": "Publish", "TopicArn": "arn:aws:sns:us-east-1:1:t",
                           "Message": "m", "Subject": "s"}) == []
    assert query_problems({"Version": "2010-08-01", "Action": "PutMetricData", "Namespace": "n",
                           "MetricData.member.1.MetricName": "m", "MetricData.member.1.Value": "1",
                           "MetricData.member.1.Dimensions.member.1.Name": "Region",
                           "MetricData.member.1.Dimensions.member.1.Value": "us-east-1"}) == []
    assert json_problems("AmazonSSM.SendCommand", {"DocumentName": "AWS-RunShellScript", "InstanceIds": ["i-1"],
                                                   "Parameters": {"commands": ["true"]}}) == []


def test_what_the_models_refuse_is_named():
    cases = [
        (dict(EC2, Action="CreateVolume", AvailabilityZone="a", SnapshotId="s", Bogus="x"), "no parameter 'Bogus'"),
        (dict(EC2, Action="AttachVolume", InstanceId="i-1", VolumeId="vol-1"), "required Device"),
        (dict(EC2, Action="CreateVolume", AvailabilityZone="a", VolumeType="gp9"), "is not one of"),
        (dict(EC2, Action="CreateVolume", AvailabilityZone="a", Iops="many"), "not an integer"),
        (dict(EC2, Action="CreateVolume", AvailabilityZone="a", Encrypted="yes"), "not true/false"),
        (dict(EC2, Action="DescribeVolumes", **{"Filter.0.Name": "x"}), "list index"),
        (dict(EC2, Action="DescribeVolumes", **{"Filters.1.Name": "x"}), "no parameter 'Filters'"),
        (dict(EC2, Action="NoSuchAction"), "no operation"),
        ({"Version": "2010-08-01", "Action": "PutMetricData", "Namespace": "n", "MetricData.1.MetricName": "m"},
         ".member.N"),
        ({"Version": "1999-01-01", "Action": "X"}, "unknown API version"),
    ]
    for params, words in cases:
        problems = query_problems(params)
        assert any(words in p for p in problems), (params, problems)
    assert json_problems("AmazonSSM.SendCommand", {"InstanceIds": ["i-1"]})  # DocumentName is required
    assert json_problems("AmazonSSM.SendCommand", {"DocumentName": "d", "Bogus": 1})
