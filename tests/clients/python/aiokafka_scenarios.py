"""aiokafka scenarios against one broker, for tests/clients/clients_test.ts.

    python aiokafka_scenarios.py <bootstrap> <scenario> <prefix>

Scenarios: produce, group, admin. Prints one JSON object whose fields are
meant to be compared between tsbroker and the reference Kafka. Every wait is
bounded; a scenario that cannot finish reports "error". Topics are named
<prefix>-..., so one broker can serve several runs.
"""
import asyncio
import json
import sys
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic, RecordsToDelete
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.structs import OffsetAndMetadata

BOOTSTRAP, SCENARIO, PREFIX = sys.argv[1], sys.argv[2], sys.argv[3]
WAIT = 30.0


def err_name(e):
    return "!" + type(e).__name__


async def admin_client():
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP, request_timeout_ms=20000)
    await admin.start()
    return admin


async def create_topic(admin, name, partitions):
    await admin.create_topics([NewTopic(name, partitions, 1)])
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            described = await admin.describe_topics([name])
            if described and described[0]["error_code"] == 0 and len(described[0]["partitions"]) == partitions:
                return
        except Exception:  # not there yet
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {name} did not appear in metadata")


async def read_all(topic, partitions, n):
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    got = []
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        deadline = time.monotonic() + WAIT
        while len(got) < n and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                got.extend(records)
        batches = await consumer.getmany(timeout_ms=300)
        for records in batches.values():
            got.extend(records)
    finally:
        await consumer.stop()
    return got


async def produce(out):
    """Per variant (acks 0/1/all, idempotent, each codec): 60 keyed records with two headers, read back."""
    variants = [
        ("acks0", {"acks": 0}),
        ("acks1", {"acks": 1}),
        ("acksAll", {"acks": "all"}),
        ("idempotent", {"acks": "all", "enable_idempotence": True}),
        ("gzip", {"compression_type": "gzip"}),
        ("snappy", {"compression_type": "snappy"}),
        ("lz4", {"compression_type": "lz4"}),
        ("zstd", {"compression_type": "zstd"}),
    ]
    n = 60
    admin = await admin_client()
    try:
        for name, _ in variants:
            await create_topic(admin, f"{PREFIX}-{name}", 3)
    finally:
        await admin.close()
    results = {}
    for name, config in variants:
        topic = f"{PREFIX}-{name}"
        producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, linger_ms=5, request_timeout_ms=10000, **config)
        await producer.start()
        acked, failed, offsets_known = 0, [], True
        try:
            futures = []
            for i in range(n):
                futures.append(await producer.send(
                    topic, key=f"k{i % 7}".encode(), value=f"{name}-{i}".encode(),
                    headers=[("variant", name.encode()), ("seq", str(i).encode())]))
            for f in futures:
                try:
                    md = await asyncio.wait_for(f, WAIT)
                    acked += 1
                    # acks=0: the broker does not answer, so there is no offset.
                    offsets_known = offsets_known and md is not None and md.offset >= 0
                except Exception as e:  # noqa: BLE001
                    failed.append(err_name(e))
        finally:
            await producer.stop()
        got = await read_all(topic, 3, n)
        last_offset, last_seq, key_partition, seqs = {}, {}, {}, set()
        in_order = intact = keyed = True
        for r in got:
            headers = dict(r.headers)
            seq = int(headers["seq"])
            seqs.add(seq)
            if r.partition in last_offset and r.offset != last_offset[r.partition] + 1:
                in_order = False
            if r.partition in last_seq and seq <= last_seq[r.partition]:
                in_order = False
            last_offset[r.partition], last_seq[r.partition] = r.offset, seq
            if (r.value != f"{name}-{seq}".encode() or r.key != f"k{seq % 7}".encode()
                    or headers.get("variant") != name.encode() or len(r.headers) != 2):
                intact = False
            if key_partition.setdefault(r.key, r.partition) != r.partition:
                keyed = False
        results[name] = {
            "acknowledged": acked, "failed": failed, "offsetsKnown": offsets_known, "received": len(got),
            "complete": len(seqs) == n, "inOrderPerPartition": in_order, "keysValuesHeadersIntact": intact,
            "sameKeySamePartition": keyed,
        }
    out["variants"] = results


class Member(ConsumerRebalanceListener):
    """A group member: consumes in its own task, commits after each batch and before giving partitions up."""

    def __init__(self, name, group_id, topic):
        self.name = name
        self.assignment = set()
        self.consumed = []
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=BOOTSTRAP, group_id=group_id, client_id=name, enable_auto_commit=False,
            auto_offset_reset="earliest", session_timeout_ms=10000, heartbeat_interval_ms=500)
        self.topic = topic
        self.task = None

    async def on_partitions_revoked(self, revoked):
        if revoked:
            await self.consumer.commit()
        self.assignment -= set(revoked)

    async def on_partitions_assigned(self, assigned):
        self.assignment |= set(assigned)

    async def start(self):
        await self.consumer.start()
        self.consumer.subscribe([self.topic], listener=self)
        self.task = asyncio.create_task(self.run())

    async def run(self):
        while True:
            batches = await self.consumer.getmany(timeout_ms=100)
            values = [r.value.decode() for records in batches.values() for r in records]
            if values:
                await self.consumer.commit()
                self.consumed.extend(values)

    async def stop(self):
        self.task.cancel()
        try:
            await self.task
        except (asyncio.CancelledError, Exception):  # noqa: BLE001
            pass
        await self.consumer.stop()


async def until(what, done):
    deadline = time.monotonic() + WAIT
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting until {what}")
        await asyncio.sleep(0.05)


async def produce_numbered(topic, partitions, start, end):
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, value=f"r{i}".encode(), partition=i % partitions)
                   for i in range(start, end)]
        await asyncio.wait_for(asyncio.gather(*futures), WAIT)
    finally:
        await producer.stop()


async def group(out):
    """a takes all 4 partitions and 200 records; b joins, the partitions are split; both consume 200 more;
    then c resumes at the committed offsets and reads only the 20 records produced after."""
    topic, group_id, partitions, n = f"{PREFIX}-group", f"{PREFIX}-g", 4, 400
    admin = await admin_client()
    try:
        await create_topic(admin, topic, partitions)
        await produce_numbered(topic, partitions, 0, n // 2)
        a = Member("a", group_id, topic)
        await a.start()
        await until("a is assigned all partitions and consumed 200",
                    lambda: len(a.assignment) == partitions and len(a.consumed) >= n // 2)
        out["firstAssignment"] = len(a.assignment)
        b = Member("b", group_id, topic)
        await b.start()
        await until("the partitions are split between a and b",
                    lambda: a.assignment and b.assignment and len(a.assignment) + len(b.assignment) == partitions)
        out["splitAfterJoin"] = [len(a.assignment), len(b.assignment)]
        await produce_numbered(topic, partitions, n // 2, n)
        await until("all records are consumed", lambda: len(set(a.consumed) | set(b.consumed)) >= n)
        distinct = set(a.consumed) | set(b.consumed)
        out["consumedDistinct"] = len(distinct)
        out["duplicates"] = len(a.consumed) + len(b.consumed) - len(distinct)
        out["bothConsumed"] = bool(a.consumed and b.consumed)
        described = await admin.describe_consumer_groups([group_id])
        g = described[0].groups[0]
        out["describedState"], out["describedMembers"], out["describedProtocolType"] = g[2], len(g[5]), g[3]
        await a.stop()
        await b.stop()
        committed = await admin.list_consumer_group_offsets(group_id)
        out["committedTotal"] = sum(o.offset for o in committed.values())
        await produce_numbered(topic, partitions, 1000, 1020)
        c = Member("c", group_id, topic)
        await c.start()
        await until("c reads the 20 late records", lambda: len(c.consumed) >= 20)
        await asyncio.sleep(0.3)
        out["resumedConsumed"] = len(c.consumed)
        out["resumedOnlyLate"] = all(int(v[1:]) >= 1000 for v in c.consumed)
        await c.stop()
    finally:
        await admin.close()


async def admin(out):
    """AIOKafkaAdminClient calls, each a comparable result or "!ExceptionName", with how long it took."""
    r, ms = {}, {}
    t1, t2, group_id = f"{PREFIX}-a1", f"{PREFIX}-a2", f"{PREFIX}-ag"
    client = await admin_client()

    async def call(name, fn):
        start = time.monotonic()
        try:
            r[name] = await asyncio.wait_for(fn(), WAIT)
        except Exception as e:  # noqa: BLE001
            r[name] = err_name(e)
        ms[name] = int((time.monotonic() - start) * 1000)

    def topic_errors(resp):
        errors = [e[1] for e in resp.topic_errors if e[1] != 0]
        if errors:
            raise RuntimeError(f"error code {errors[0]}")
        return "ok"

    try:
        await call("createTopics", lambda: _then(client.create_topics(
            [NewTopic(t1, 2, 1), NewTopic(t2, 1, 1)]), topic_errors))
        await call("createTopicsDuplicate", lambda: _then(client.create_topics([NewTopic(t1, 2, 1)]), topic_errors))
        await call("createTopicsValidateOnly", lambda: _then(client.create_topics(
            [NewTopic(f"{PREFIX}-a3", 3, 1)], validate_only=True), topic_errors))
        await call("listTopics", lambda: _then(client.list_topics(),
                                               lambda ts: sorted(t for t in ts if t.startswith(PREFIX))))
        await call("describeTopics", lambda: _then(client.describe_topics([t1, t2]), lambda ds: sorted(
            f"{d['topic']}:{len(d['partitions'])}" for d in ds)))
        await call("describeCluster", lambda: _then(client.describe_cluster(), lambda c: [
            len(c["brokers"]), c["controller_id"] >= 0, bool(c["cluster_id"])]))
        await call("createPartitions", lambda: _then(client.create_partitions({t2: NewPartitions(3)}),
                                                     topic_errors))
        producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP)
        await producer.start()
        for i in range(10):
            await producer.send_and_wait(t1, f"v{i}".encode(), partition=0)
        await producer.stop()
        tp = TopicPartition(t1, 0)
        await call("deleteRecords", lambda: _then(client.delete_records({tp: RecordsToDelete(4)}), lambda m: m[tp]))
        await call("commitOffsets", lambda: commit_offsets(
            group_id, {tp: OffsetAndMetadata(7, "meta"), TopicPartition(t1, 1): OffsetAndMetadata(0, "")}))
        await call("listConsumerGroupOffsets", lambda: _then(client.list_consumer_group_offsets(group_id),
                                                             lambda m: sorted(f"{k.topic}-{k.partition}={v.offset}/{v.metadata}" for k, v in m.items())))
        await call("listConsumerGroups", lambda: _then(client.list_consumer_groups(),
                                                       lambda gs: sorted(g[0] for g in gs if g[0].startswith(PREFIX))))
        await call("describeConsumerGroups", lambda: _then(client.describe_consumer_groups([group_id]),
                                                           lambda d: [d[0].groups[0][2], len(d[0].groups[0][5])]))
        await call("deleteTopics", lambda: _then(client.delete_topics([t2]), lambda _: "ok"))
        # DescribeConfigs, then AlterConfigs (a topic's whole set of overrides).
        await call("describeConfigs", lambda: _then(client.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t1)]), lambda _: "ok"))
        await call("alterConfigs", lambda: _then(client.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t1, configs={"retention.ms": "3600000"})]), lambda _: "ok"))
    finally:
        await client.close()
    out["results"], out["ms"] = r, ms


async def commit_offsets(group_id, offsets):
    """Commits offsets for a group with no members (aiokafka's admin has no call for it)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=group_id, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)
    finally:
        await consumer.stop()
    return "ok"


async def _then(awaitable, fn):
    return fn(await awaitable)


async def main():
    out = {}
    start = time.monotonic()
    try:
        await {"produce": produce, "group": group, "admin": admin}[SCENARIO](out)
    except Exception as e:  # noqa: BLE001
        out["error"] = f"{type(e).__name__}: {e}"
    out["elapsedMs"] = int((time.monotonic() - start) * 1000)
    print(json.dumps(out), flush=True)


asyncio.run(main())
