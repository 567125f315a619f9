"""A transactional producer for tests/integration/transactions_crash_test.ts (confluent-kafka).

    python txn_crash_producer.py <bootstrap> <mode> <topic> <transactional id> [seconds]

Modes:
  loop   transactions back to back for <seconds>: 20 records each ("t<n>-<i>", 5 per
         partition of 4), the third of every three aborted, the rest committed.
         Prints "committed <n>" / "aborted <n>" once EndTxn answered, "failed <n>
         <error>" when a transaction ends in an error that is not fatal (then aborts it,
         or starts a new producer when the error is neither abortable nor retriable, and
         goes on), and "fatal <error>" before exiting on a fatal one. Keeps going
         through a broker restart, as an application would.
  open   commits one transaction ("c-<i>"), then writes "o-<i>" records in a second
         one (transaction.timeout.ms 3000) and prints "open"; waits for a line on
         stdin, then tries to commit and prints "commit-result <error or ok>".
  read   reads the topic read_committed until every partition's position reaches its
         end (the LSO), for up to 60 s; prints "values <json list>" or "timeout".
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

BOOTSTRAP, MODE, TOPIC, TXN_ID = sys.argv[1:5]
SECONDS = float(sys.argv[5]) if len(sys.argv) > 5 else 20.0
PARTITIONS = 4
QUIET = {"log_level": 0}


def say(line):
    print(line, flush=True)


def error_text(e):
    err = e.args[0] if isinstance(e, KafkaException) and e.args else None
    return err.name() if err is not None and hasattr(err, "name") else type(e).__name__


def producer(timeout_ms=60000):
    p = Producer({"bootstrap.servers": BOOTSTRAP, "transactional.id": TXN_ID, "transaction.timeout.ms": timeout_ms,
                  "linger.ms": 2, "message.timeout.ms": min(60000, timeout_ms), **QUIET})
    p.init_transactions(60)
    return p


def write(p, tag):
    for i in range(20):
        p.produce(TOPIC, value=f"{tag}-{i}".encode(), partition=i % PARTITIONS)
    p.flush(60)


def loop():
    p = producer()
    n = 0
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        n += 1
        try:
            p.begin_transaction()
            write(p, f"t{n}")
            if n % 3 == 0:
                p.abort_transaction(60)
                say(f"aborted {n}")
            else:
                p.commit_transaction(60)
                say(f"committed {n}")
        except KafkaException as e:
            err = e.args[0]
            if err.fatal():
                say(f"fatal {error_text(e)}")
                return
            say(f"failed {n} {error_text(e)}")
            if err.txn_requires_abort():
                try:
                    p.abort_transaction(60)
                except KafkaException as again:
                    say(f"fatal {error_text(again)}")
                    return
            elif not err.retriable():
                # Neither abortable nor retriable (librdkafka's _INCONSISTENT once, against the reference Kafka
                # just restarted): the client's transaction state is unknown, and the next transaction hung in
                # it. Start over as an application would: the new producer's InitProducerId fences this one
                # and aborts whatever it left open.
                p = producer()
            time.sleep(0.2)


def open_transaction():
    p = producer(3000)
    p.begin_transaction()
    write(p, "c")
    p.commit_transaction(60)
    p.begin_transaction()
    write(p, "o")
    say("open")
    sys.stdin.readline()
    try:
        p.commit_transaction(30)
        say("commit-result ok")
    except KafkaException as e:
        say(f"commit-result {error_text(e)}")


def read():
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"{TXN_ID}-reader", "enable.auto.commit": False,
                  "isolation.level": "read_committed", **QUIET})
    # The high watermarks come from a read_uncommitted client: a read_committed one is told the LSO instead.
    hw = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"{TXN_ID}-hw", **QUIET})
    tps = [TopicPartition(TOPIC, p, 0) for p in range(PARTITIONS)]
    c.assign(tps)
    values = []
    placed = {}  # transaction tag -> [partition, offset] of its records read, for a failing test's message
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for m in c.consume(500, 0.2):
            if m.error() is None:
                values.append(m.value().decode())
                placed.setdefault(m.value().decode().split("-")[0], []).append([m.partition(), m.offset()])
        try:
            ends = [hw.get_watermark_offsets(tp, timeout=5, cached=False)[1] for tp in tps]
        except KafkaException:
            # A broker just restarted may not lead its partitions yet (NOT_LEADER_FOR_PARTITION): ask again.
            time.sleep(0.2)
            continue
        positions = [tp.offset for tp in c.position(tps)]
        # A read_committed position stops at the LSO: reaching the high watermark means every transaction resolved.
        lso_reached = all(pos >= end for pos, end in zip(positions, ends))
        if lso_reached:
            say("placed " + json.dumps(placed))
            say("values " + json.dumps(values))
            c.close()
            return
    say("timeout " + json.dumps(values))
    c.close()


{"loop": loop, "open": open_transaction, "read": read}[MODE]()
