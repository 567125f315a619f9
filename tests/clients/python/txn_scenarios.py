"""confluent-kafka (librdkafka) transaction scenarios, for tests/clients/transactions_test.ts.

    python txn_scenarios.py <bootstrap> <scenario> <prefix> [count]

Scenarios:
  alternate   a transactional producer runs 10 transactions over a 4-partition
              topic, committing the even ones and aborting the odd ones; a
              read_committed consumer must see exactly the committed records,
              a read_uncommitted one every record sent.
  ctp-seed    creates <prefix>-in and <prefix>-out (4 partitions each) and writes
              records 0..count-1 to <prefix>-in (idempotent producer).
  ctp-loop    the consume-transform-produce loop: consumes <prefix>-in in group
              <prefix>-loop (read_committed), writes each value with "out-" in
              front to <prefix>-out and commits the input offsets in the same
              transaction (send_offsets_to_transaction). Prints "progress N" after
              each commit; ends when the committed offsets reach the input's end.
              The test SIGKILLs it mid-run and starts it again.
  ctp-verify  reads <prefix>-out read_committed: every value out-0..out-(count-1)
              exactly once?

Prints one JSON object as its last line. Every wait is bounded.
"""
import json
import sys
import time
from collections import Counter

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

BOOTSTRAP, SCENARIO, PREFIX = sys.argv[1], sys.argv[2], sys.argv[3]
COUNT = int(sys.argv[4]) if len(sys.argv) > 4 else 0
WAIT = 30.0
QUIET = {"log_level": 3}
PARTITIONS = 4


def create_topic(name, partitions):
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP, **QUIET})
    try:
        admin.create_topics([NewTopic(name, partitions, 1)])[name].result(WAIT)
    except KafkaException as e:
        if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            raise
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        md = admin.list_topics(name, timeout=5).topics.get(name)
        if md and md.error is None and len(md.partitions) == partitions and all(
                p.leader >= 0 for p in md.partitions.values()):
            return
        time.sleep(0.1)
    raise RuntimeError(f"topic {name} did not appear in metadata")


def read_values(topic, isolation, expected, wait=WAIT):
    """Every value in the topic read from the start with `isolation`, until `expected` arrived and 1 s passed."""
    consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"{PREFIX}-reader-{isolation}",
                         "enable.auto.commit": False, "isolation.level": isolation, **QUIET})
    got = []
    try:
        consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
        deadline = time.monotonic() + wait
        settled = None
        while time.monotonic() < deadline:
            if len(got) >= expected:
                settled = settled or time.monotonic() + 1.0
                if time.monotonic() > settled:
                    break
            for m in consumer.consume(1000, 0.1):
                if m.error() is None:
                    got.append(m.value().decode())
    finally:
        consumer.close()
    return got


def transactional_producer(txn_id, **extra):
    p = Producer({"bootstrap.servers": BOOTSTRAP, "transactional.id": txn_id, "linger.ms": 5,
                  "transaction.timeout.ms": 60000, **QUIET, **extra})
    p.init_transactions(WAIT)
    return p


def alternate(out):
    topic = f"{PREFIX}-alt"
    create_topic(topic, PARTITIONS)
    producer = transactional_producer(f"{PREFIX}-alt-txn")
    committed, sent = [], []
    for t in range(10):
        producer.begin_transaction()
        values = [f"t{t}-r{i}" for i in range(20)]
        for i, v in enumerate(values):
            producer.produce(topic, value=v, key=str(i), partition=i % PARTITIONS)
        sent += values
        # Written before the end, so the aborted records are in the log (abort would drop unsent ones in the client).
        producer.flush(WAIT)
        if t % 2 == 0:
            producer.commit_transaction(WAIT)
            committed += values
        else:
            producer.abort_transaction(WAIT)
    # One more commit after the last abort, so that the last marker on every partition is a commit.
    producer.begin_transaction()
    tail = [f"tail-{p}" for p in range(PARTITIONS)]
    for p, v in enumerate(tail):
        producer.produce(topic, value=v, partition=p)
    producer.commit_transaction(WAIT)
    committed += tail
    sent += tail
    producer.flush(WAIT)
    read_committed = read_values(topic, "read_committed", len(committed))
    read_uncommitted = read_values(topic, "read_uncommitted", len(sent))
    out["sent"] = len(sent)
    out["committed"] = len(committed)
    out["readCommitted"] = len(read_committed)
    out["readCommittedExact"] = sorted(read_committed) == sorted(committed)
    out["readUncommitted"] = len(read_uncommitted)
    out["readUncommittedExact"] = sorted(read_uncommitted) == sorted(sent)
    out["abortedSeenByReadCommitted"] = sorted(set(read_committed) - set(committed))[:5]


def ctp_seed(out):
    create_topic(f"{PREFIX}-in", PARTITIONS)
    create_topic(f"{PREFIX}-out", PARTITIONS)
    producer = Producer({"bootstrap.servers": BOOTSTRAP, "enable.idempotence": True, "linger.ms": 20, **QUIET})
    failed = []
    for i in range(COUNT):
        while True:
            try:
                producer.produce(f"{PREFIX}-in", value=str(i), key=str(i),
                                 on_delivery=lambda err, _m: err and failed.append(str(err)))
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(60)
    out["seeded"] = COUNT - left - len(failed)
    out["failed"] = failed[:5]


def end_offsets(consumer, topic):
    ends = []
    for p in range(PARTITIONS):
        _low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        ends.append(high)
    return ends


def ctp_loop(out):
    topic_in, topic_out = f"{PREFIX}-in", f"{PREFIX}-out"
    consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"{PREFIX}-loop", "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                         "session.timeout.ms": 6000, "heartbeat.interval.ms": 500, **QUIET})
    producer = transactional_producer(f"{PREFIX}-loop-txn")
    consumer.subscribe([topic_in])
    ends = end_offsets(consumer, topic_in)
    moved = 0
    idle_until = time.monotonic() + 120
    while time.monotonic() < idle_until:
        batch = [m for m in consumer.consume(1000, 0.5) if m.error() is None]
        if batch:
            producer.begin_transaction()
            for m in batch:
                while True:
                    try:
                        producer.produce(topic_out, value=b"out-" + m.value(), key=m.key(), partition=m.partition())
                        break
                    except BufferError:
                        producer.poll(0.05)
            producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                 consumer.consumer_group_metadata(), WAIT)
            producer.commit_transaction(WAIT)
            moved += len(batch)
            print(f"progress {moved}", flush=True)
            idle_until = time.monotonic() + 120
        assignment = consumer.assignment()
        if len(assignment) == PARTITIONS:
            committed = consumer.committed(assignment, timeout=10)
            if all(tp.offset == ends[tp.partition] for tp in committed):
                break
    out["moved"] = moved
    consumer.close()


def ctp_verify(out):
    values = read_values(f"{PREFIX}-out", "read_committed", COUNT, wait=90)
    counts = Counter(values)
    expected = {f"out-{i}" for i in range(COUNT)}
    out["read"] = len(values)
    out["distinct"] = len(counts)
    out["duplicates"] = sum(1 for c in counts.values() if c > 1)
    out["missing"] = len(expected - set(counts))
    out["unexpected"] = len(set(counts) - expected)
    out["duplicateSample"] = sorted(v for v, c in counts.items() if c > 1)[:5]


def main():
    out = {}
    start = time.monotonic()
    try:
        {"alternate": alternate, "ctp-seed": ctp_seed, "ctp-loop": ctp_loop, "ctp-verify": ctp_verify}[SCENARIO](out)
    except Exception as e:  # noqa: BLE001
        out["error"] = f"{type(e).__name__}: {e}"
    out["elapsedMs"] = int((time.monotonic() - start) * 1000)
    print(json.dumps(out), flush=True)


main()
