"""A confluent-kafka-python (librdkafka) consumer in a consumer group, driven
by the group tests: it subscribes, consumes, and reports everything it sees
as one JSON line per event on stdout, so the test can check assignments,
rebalance times and which member consumed which record.

usage: group_consumer.py 'JSON_SETTINGS'
settings: {"bootstrap", "group", "topics": [..], "clientId",
           "commit": "each" (synchronous commit after every record, the
                     default) | "none" (nothing committed),
           "delayMs": pause after each record (slows consumption down so
                      that a rebalance happens while records are left),
           "config": {extra librdkafka settings}}
events (each with "t", wall-clock milliseconds):
  {"ev": "assigned"|"revoked"|"lost", "partitions": [[topic, partition], ..]}
  {"ev": "msg", "topic", "p", "o", "v", "err"}: a record, after its
      synchronous commit; "err" is the commit's error code, null when the
      commit succeeded (or commit is "none")
  {"ev": "error", "code", "name", "text"}: a consumer error from poll()
  {"ev": "committed", "offsets": [[topic, partition, offset], ..]}
  {"ev": "closing"}, {"ev": "closed"}
stdin commands, one per line: "close" (consumer.close(): a clean
LeaveGroup, then exit 0), "committed TOPIC PARTITIONS" (report the group's
committed offsets for partitions 0..PARTITIONS-1). End of stdin = close.
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, TopicPartition

settings = json.loads(sys.argv[1])
commit_mode = settings.get("commit", "each")
delay = settings.get("delayMs", 0) / 1000.0
lock = threading.Lock()
commands = []


def emit(event):
    event["t"] = int(time.time() * 1000)
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def read_commands():
    for line in sys.stdin:
        with lock:
            commands.append(line.strip())
    with lock:
        commands.append("close")


def parts(partitions):
    return [[tp.topic, tp.partition] for tp in partitions]


config = {
    "bootstrap.servers": settings["bootstrap"],
    "group.id": settings["group"],
    "client.id": settings.get("clientId", "group-consumer"),
    "enable.auto.commit": False,
    "auto.offset.reset": "earliest",
    "session.timeout.ms": 6000,
    "heartbeat.interval.ms": 500,
    "max.poll.interval.ms": 10000,
}
config.update(settings.get("config", {}))
consumer = Consumer(config)
consumer.subscribe(
    settings["topics"],
    on_assign=lambda c, ps: emit({"ev": "assigned", "partitions": parts(ps)}),
    on_revoke=lambda c, ps: emit({"ev": "revoked", "partitions": parts(ps)}),
    on_lost=lambda c, ps: emit({"ev": "lost", "partitions": parts(ps)}),
)
threading.Thread(target=read_commands, daemon=True).start()

running = True
while running:
    with lock:
        pending = commands[:]
        commands.clear()
    for command in pending:
        words = command.split()
        if not words:
            continue
        if words[0] == "close":
            running = False
            break
        if words[0] == "committed":
            tps = [TopicPartition(words[1], p) for p in range(int(words[2]))]
            got = consumer.committed(tps, timeout=10)
            emit({"ev": "committed", "offsets": [[tp.topic, tp.partition, tp.offset] for tp in got]})
    if not running:
        break
    msg = consumer.poll(0.1)
    if msg is None:
        continue
    if msg.error() is not None:
        err = msg.error()
        emit({"ev": "error", "code": err.code(), "name": err.name(), "text": err.str()})
        continue
    commit_error = None
    if commit_mode == "each":
        try:
            consumer.commit(message=msg, asynchronous=False)
        except KafkaException as e:
            commit_error = e.args[0].code()
    value = msg.value()
    emit({
        "ev": "msg",
        "topic": msg.topic(),
        "p": msg.partition(),
        "o": msg.offset(),
        "v": None if value is None else value.decode("utf-8", "replace"),
        "err": commit_error,
    })
    if delay:
        time.sleep(delay)

emit({"ev": "closing"})
consumer.close()
emit({"ev": "closed"})
