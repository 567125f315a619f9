// Command franzgo runs franz-go (kgo, kadm) scenarios against one broker for
// tests/clients/clients_test.ts and prints one JSON object whose fields are
// meant to be compared between tsbroker and the reference Kafka.
//
//	franzgo <bootstrap> <scenario> <prefix>
//
// Scenarios: produce, group-classic, group-consumer, admin. Every wait is
// bounded; a scenario that cannot finish reports "error". Topics are named
// <prefix>-..., so one broker can serve several runs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

const wait = 30 * time.Second

var (
	bootstrap string
	prefix    string
)

type result = map[string]any

func main() {
	bootstrap, prefix = os.Args[1], os.Args[3]
	scenario := os.Args[2]
	out := result{}
	start := time.Now()
	var err error
	switch scenario {
	case "produce":
		err = produce(out)
	case "group-classic":
		err = group(out, false)
	case "group-consumer":
		err = group(out, true)
	case "admin":
		err = admin(out)
	default:
		err = fmt.Errorf("unknown scenario %s", scenario)
	}
	if err != nil {
		out["error"] = err.Error()
	}
	out["elapsedMs"] = time.Since(start).Milliseconds()
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}

func client(opts ...kgo.Opt) (*kgo.Client, error) {
	return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(bootstrap), kgo.RequestTimeoutOverhead(10 * time.Second),
		kgo.RetryTimeout(20 * time.Second)}, opts...)...)
}

func newAdmin() (*kadm.Client, *kgo.Client, error) {
	cl, err := client()
	if err != nil {
		return nil, nil, err
	}
	return kadm.NewClient(cl), cl, nil
}

func ctxWait() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), wait)
}

// createTopic creates a topic and waits until its metadata shows every partition with a leader.
func createTopic(adm *kadm.Client, topic string, partitions int32) error {
	ctx, cancel := ctxWait()
	defer cancel()
	resp, err := adm.CreateTopic(ctx, partitions, 1, nil, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", topic, err)
	}
	for ctx.Err() == nil {
		md, err := adm.Metadata(ctx, topic)
		if err == nil {
			if t, ok := md.Topics[topic]; ok && t.Err == nil && len(t.Partitions) == int(partitions) {
				ready := true
				for _, p := range t.Partitions {
					ready = ready && p.Leader >= 0 && p.Err == nil
				}
				if ready {
					return nil
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("topic %s did not appear in metadata", topic)
}

// readAll reads a topic from the start until n records arrived (or the wait ends), then briefly for extras.
func readAll(topic string, n int) ([]*kgo.Record, error) {
	cl, err := client(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var got []*kgo.Record
	deadline := time.Now().Add(wait)
	extra := time.Time{}
	for time.Now().Before(deadline) {
		if len(got) >= n {
			if extra.IsZero() {
				extra = time.Now().Add(300 * time.Millisecond)
			} else if time.Now().After(extra) {
				break
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) { got = append(got, r) })
	}
	return got, nil
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// produce: per variant (acks 0/1/all, idempotent, each codec), 60 keyed records with two headers to a
// 3-partition topic, read back: acknowledged, received, complete, in order per partition, intact.
func produce(out result) error {
	type variant struct {
		name string
		opts []kgo.Opt
	}
	variants := []variant{
		{"acks0", []kgo.Opt{kgo.RequiredAcks(kgo.NoAck()), kgo.DisableIdempotentWrite()}},
		{"acks1", []kgo.Opt{kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite()}},
		{"acksAll", []kgo.Opt{kgo.RequiredAcks(kgo.AllISRAcks()), kgo.DisableIdempotentWrite()}},
		{"idempotent", []kgo.Opt{kgo.RequiredAcks(kgo.AllISRAcks())}},
		{"gzip", []kgo.Opt{kgo.ProducerBatchCompression(kgo.GzipCompression())}},
		{"snappy", []kgo.Opt{kgo.ProducerBatchCompression(kgo.SnappyCompression())}},
		{"lz4", []kgo.Opt{kgo.ProducerBatchCompression(kgo.Lz4Compression())}},
		{"zstd", []kgo.Opt{kgo.ProducerBatchCompression(kgo.ZstdCompression())}},
	}
	const n = 60
	adm, acl, err := newAdmin()
	if err != nil {
		return err
	}
	defer acl.Close()
	for _, v := range variants {
		if err := createTopic(adm, prefix+"-"+v.name, 3); err != nil {
			return err
		}
	}
	results := result{}
	for _, v := range variants {
		topic := prefix + "-" + v.name
		cl, err := client(append([]kgo.Opt{kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(5 * time.Millisecond)},
			v.opts...)...)
		if err != nil {
			return err
		}
		var mu sync.Mutex
		acked, offsetsKnown, failed := 0, true, []string{}
		ctx, cancel := ctxWait()
		for i := 0; i < n; i++ {
			r := &kgo.Record{Key: []byte("k" + strconv.Itoa(i%7)), Value: []byte(v.name + "-" + strconv.Itoa(i)),
				Headers: []kgo.RecordHeader{{Key: "variant", Value: []byte(v.name)}, {Key: "seq", Value: []byte(strconv.Itoa(i))}}}
			cl.Produce(ctx, r, func(r *kgo.Record, err error) {
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed = append(failed, err.Error())
				} else {
					acked++
					// With acks=0 franz-go reports the offset as 0 (Kafka does not answer); a real one otherwise.
				}
			})
		}
		if err := cl.Flush(ctx); err != nil {
			failed = append(failed, "flush: "+err.Error())
		}
		cancel()
		cl.Close()
		got, err := readAll(topic, n)
		if err != nil {
			return err
		}
		lastOffset := map[int32]int64{}
		lastSeq := map[int32]int{}
		keyPartition := map[string]int32{}
		seqs := map[int]bool{}
		inOrder, intact, keyed := true, true, true
		for _, r := range got {
			seq, _ := strconv.Atoi(header(r, "seq"))
			seqs[seq] = true
			if o, ok := lastOffset[r.Partition]; ok && r.Offset != o+1 {
				inOrder = false
			}
			if s, ok := lastSeq[r.Partition]; ok && seq <= s {
				inOrder = false
			}
			lastOffset[r.Partition], lastSeq[r.Partition] = r.Offset, seq
			if string(r.Value) != v.name+"-"+strconv.Itoa(seq) || string(r.Key) != "k"+strconv.Itoa(seq%7) ||
				header(r, "variant") != v.name || len(r.Headers) != 2 {
				intact = false
			}
			if p, ok := keyPartition[string(r.Key)]; ok && p != r.Partition {
				keyed = false
			}
			keyPartition[string(r.Key)] = r.Partition
		}
		results[v.name] = result{"acknowledged": acked, "failed": failed, "offsetsKnown": offsetsKnown,
			"received": len(got), "complete": len(seqs) == n, "inOrderPerPartition": inOrder,
			"keysValuesHeadersIntact": intact, "sameKeySamePartition": keyed}
	}
	out["variants"] = results
	return nil
}

// member is one group member polling in its own goroutine, committing after each poll and before giving
// partitions up (rebalances are blocked while a poll's records are processed).
type member struct {
	cl         *kgo.Client
	mu         sync.Mutex
	assignment map[int32]bool
	consumed   []string
	stop       chan struct{}
	done       chan struct{}
}

func newMember(name, groupID, topic string, nextGen bool) (*member, error) {
	m := &member{assignment: map[int32]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	opts := []kgo.Opt{
		kgo.ClientID(name), kgo.ConsumerGroup(groupID), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(), kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(10 * time.Second), kgo.HeartbeatInterval(500 * time.Millisecond),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, a map[string][]int32) {
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, p := range a[topic] {
				m.assignment[p] = true
			}
		}),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, r map[string][]int32) {
			_ = cl.CommitUncommittedOffsets(ctx)
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, p := range r[topic] {
				delete(m.assignment, p)
			}
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, l map[string][]int32) {
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, p := range l[topic] {
				delete(m.assignment, p)
			}
		}),
	}
	if nextGen {
		opts = append(opts, kgo.ServerSideBalancer(), kgo.Balancers(kgo.RangeBalancer()))
	}
	cl, err := client(opts...)
	if err != nil {
		return nil, err
	}
	m.cl = cl
	go func() {
		defer close(m.done)
		for {
			select {
			case <-m.stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			fs := cl.PollFetches(ctx)
			cancel()
			var values []string
			fs.EachRecord(func(r *kgo.Record) { values = append(values, string(r.Value)) })
			if len(values) > 0 {
				cctx, ccancel := ctxWait()
				_ = cl.CommitUncommittedOffsets(cctx)
				ccancel()
				m.mu.Lock()
				m.consumed = append(m.consumed, values...)
				m.mu.Unlock()
			}
			cl.AllowRebalance()
		}
	}()
	return m, nil
}

func (m *member) snapshot() (int, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.assignment), append([]string(nil), m.consumed...)
}

func (m *member) close() {
	close(m.stop)
	<-m.done
	m.cl.Close()
}

func until(what string, done func() bool) error {
	deadline := time.Now().Add(wait)
	for !done() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting until %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

func produceNumbered(topic string, partitions, from, to int) error {
	cl, err := client(kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := ctxWait()
	defer cancel()
	var recs []*kgo.Record
	for i := from; i < to; i++ {
		recs = append(recs, &kgo.Record{Topic: topic, Partition: int32(i % partitions), Value: []byte(prefixed(i))})
	}
	return cl.ProduceSync(ctx, recs...).FirstErr()
}

func prefixed(i int) string { return "r" + strconv.Itoa(i) }

// group: a takes all 4 partitions and consumes 200 records; b joins and the partitions are split; 200
// more are consumed by both; then c, in the same group, starts at the committed offsets and reads only
// the 20 records produced after. With nextGen, the KIP-848 protocol (ServerSideBalancer).
func group(out result, nextGen bool) error {
	topic, groupID := prefix+"-group", prefix+"-g"
	const partitions, n = 4, 400
	adm, acl, err := newAdmin()
	if err != nil {
		return err
	}
	defer acl.Close()
	if err := createTopic(adm, topic, partitions); err != nil {
		return err
	}
	if err := produceNumbered(topic, partitions, 0, n/2); err != nil {
		return err
	}
	a, err := newMember("a", groupID, topic, nextGen)
	if err != nil {
		return err
	}
	if err := until("a is assigned all partitions and consumed 200", func() bool {
		k, c := a.snapshot()
		return k == partitions && len(c) >= n/2
	}); err != nil {
		return err
	}
	k, _ := a.snapshot()
	out["firstAssignment"] = k
	b, err := newMember("b", groupID, topic, nextGen)
	if err != nil {
		return err
	}
	if err := until("the partitions are split between a and b", func() bool {
		ka, _ := a.snapshot()
		kb, _ := b.snapshot()
		return ka > 0 && kb > 0 && ka+kb == partitions
	}); err != nil {
		return err
	}
	ka, _ := a.snapshot()
	kb, _ := b.snapshot()
	out["splitAfterJoin"] = []int{ka, kb}
	if err := produceNumbered(topic, partitions, n/2, n); err != nil {
		return err
	}
	seen := func() (map[string]bool, int, bool) {
		_, ca := a.snapshot()
		_, cb := b.snapshot()
		s := map[string]bool{}
		for _, v := range append(ca, cb...) {
			s[v] = true
		}
		return s, len(ca) + len(cb), len(ca) > 0 && len(cb) > 0
	}
	if err := until("all records are consumed", func() bool { s, _, _ := seen(); return len(s) >= n }); err != nil {
		return err
	}
	s, total, both := seen()
	out["consumedDistinct"], out["duplicates"], out["bothConsumed"] = len(s), total-len(s), both
	ctx, cancel := ctxWait()
	defer cancel()
	if described, err := adm.DescribeGroups(ctx, groupID); err == nil {
		g := described[groupID]
		out["describedState"], out["describedMembers"], out["describedProtocolType"] = g.State, len(g.Members), g.ProtocolType
	} else {
		out["describedState"] = "!" + err.Error()
	}
	// The KIP-848 view: ConsumerGroupDescribe, which names the group's type.
	if described, err := adm.DescribeConsumerGroups(ctx, groupID); err == nil {
		g := described[groupID]
		if g.Err != nil {
			out["consumerGroupDescribe"] = errName(g.Err)
		} else {
			out["consumerGroupDescribe"] = g.State
		}
	} else {
		out["consumerGroupDescribe"] = "!" + err.Error()
	}
	listed, err := adm.ListGroups(ctx)
	if err == nil {
		out["listedGroupType"] = listed[groupID].GroupType
	}
	a.close()
	b.close()
	committed, err := adm.FetchOffsets(ctx, groupID)
	if err != nil {
		return err
	}
	var committedTotal int64
	committed.Each(func(o kadm.OffsetResponse) { committedTotal += o.At })
	out["committedTotal"] = committedTotal
	if err := produceNumbered(topic, partitions, 1000, 1020); err != nil {
		return err
	}
	c, err := newMember("c", groupID, topic, nextGen)
	if err != nil {
		return err
	}
	if err := until("c reads the 20 late records", func() bool { _, v := c.snapshot(); return len(v) >= 20 }); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	_, late := c.snapshot()
	onlyLate := true
	for _, v := range late {
		i, _ := strconv.Atoi(strings.TrimPrefix(v, "r"))
		onlyLate = onlyLate && i >= 1000
	}
	out["resumedConsumed"], out["resumedOnlyLate"] = len(late), onlyLate
	c.close()
	return nil
}

// errName gives an error's Kafka name (kerr), or its text.
func errName(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return "!" + ke.Message
	}
	return "!" + err.Error()
}

// admin: kadm calls, each reported as a comparable result or "!ERROR", with how long it took; the calls
// whose APIs tsbroker does not serve must fail promptly.
func admin(out result) error {
	adm, cl, err := newAdmin()
	if err != nil {
		return err
	}
	defer cl.Close()
	r, ms := result{}, result{}
	t1, t2, groupID := prefix+"-a1", prefix+"-a2", prefix+"-ag"
	call := func(name string, fn func(ctx context.Context) (any, error)) {
		ctx, cancel := ctxWait()
		defer cancel()
		start := time.Now()
		v, err := fn(ctx)
		if err != nil {
			r[name] = errName(err)
		} else {
			r[name] = v
		}
		ms[name] = time.Since(start).Milliseconds()
	}
	call("createTopics", func(ctx context.Context) (any, error) {
		resp, err := adm.CreateTopics(ctx, 2, 1, nil, t1)
		if err == nil {
			err = resp.Error()
		}
		if err == nil {
			resp, err = adm.CreateTopics(ctx, 1, 1, nil, t2)
			if err == nil {
				err = resp.Error()
			}
		}
		return "ok", err
	})
	call("createTopicsDuplicate", func(ctx context.Context) (any, error) {
		resp, err := adm.CreateTopics(ctx, 2, 1, nil, t1)
		if err == nil {
			err = resp.Error()
		}
		return "ok", err
	})
	call("validateCreateTopics", func(ctx context.Context) (any, error) {
		resp, err := adm.ValidateCreateTopics(ctx, 3, 1, nil, prefix+"-a3")
		if err == nil {
			err = resp.Error()
		}
		return "ok", err
	})
	// Kafka's metadata cache learns of new topics and partitions after CreateTopics and CreatePartitions
	// answer: the listings below ask again (up to 10 s) until what was just created shows.
	call("listTopics", func(ctx context.Context) (any, error) {
		var names []string
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			td, err := adm.ListTopics(ctx)
			if err != nil {
				return nil, err
			}
			names = names[:0]
			for _, t := range td.Sorted() {
				if strings.HasPrefix(t.Topic, prefix) {
					names = append(names, fmt.Sprintf("%s:%d", t.Topic, len(t.Partitions)))
				}
			}
			if td.Has(t1) && td.Has(t2) || time.Now().After(deadline) {
				return names, nil
			}
		}
	})
	call("brokerMetadata", func(ctx context.Context) (any, error) {
		md, err := adm.BrokerMetadata(ctx)
		return []any{len(md.Brokers), md.Controller >= 0, md.Cluster != ""}, err
	})
	call("updatePartitions", func(ctx context.Context) (any, error) {
		resp, err := adm.UpdatePartitions(ctx, 3, t2)
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return nil, err
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			td, err := adm.ListTopics(ctx, t2)
			if err != nil || len(td[t2].Partitions) == 3 || time.Now().After(deadline) {
				return len(td[t2].Partitions), err
			}
		}
	})
	pcl, err := client(kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		return err
	}
	pctx, pcancel := ctxWait()
	// Timestamps chosen so that the largest, base + 9, is on offsets 5 and 6: the max-timestamp offset is the first, 5.
	base := time.Now().Add(-time.Minute)
	for i, stamp := range []int{0, 1, 2, 3, 4, 9, 9, 5, 6, 7} {
		pcl.Produce(pctx, &kgo.Record{Topic: t1, Partition: 0, Value: []byte("v" + strconv.Itoa(i)),
			Timestamp: base.Add(time.Duration(stamp) * time.Millisecond)}, nil)
	}
	if err := pcl.Flush(pctx); err != nil {
		pcancel()
		return err
	}
	pcancel()
	pcl.Close()
	offsetOf := func(l kadm.ListedOffsets, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		o, ok := l.Lookup(t1, 0)
		if !ok {
			return nil, errors.New("no offset")
		}
		if o.Err != nil {
			return nil, o.Err
		}
		return o.Offset, nil
	}
	call("listEndOffsets", func(ctx context.Context) (any, error) { return offsetOf(adm.ListEndOffsets(ctx, t1)) })
	call("listStartOffsets", func(ctx context.Context) (any, error) { return offsetOf(adm.ListStartOffsets(ctx, t1)) })
	call("listMaxTimestampOffsets", func(ctx context.Context) (any, error) {
		return offsetOf(adm.ListMaxTimestampOffsets(ctx, t1))
	})
	call("deleteRecords", func(ctx context.Context) (any, error) {
		os := kadm.Offsets{}
		os.AddOffset(t1, 0, 4, -1)
		resp, err := adm.DeleteRecords(ctx, os)
		if err != nil {
			return nil, err
		}
		d, _ := resp.Lookup(t1, 0)
		return d.LowWatermark, d.Err
	})
	call("listStartOffsetsAfterDelete", func(ctx context.Context) (any, error) {
		return offsetOf(adm.ListStartOffsets(ctx, t1))
	})
	call("commitOffsets", func(ctx context.Context) (any, error) {
		os := kadm.Offsets{}
		os.Add(kadm.Offset{Topic: t1, Partition: 0, At: 7, LeaderEpoch: -1, Metadata: "meta"})
		os.Add(kadm.Offset{Topic: t1, Partition: 1, At: 0, LeaderEpoch: -1})
		return "ok", adm.CommitAllOffsets(ctx, groupID, os)
	})
	call("fetchOffsets", func(ctx context.Context) (any, error) {
		resp, err := adm.FetchOffsets(ctx, groupID)
		if err != nil {
			return nil, err
		}
		var s []string
		resp.Each(func(o kadm.OffsetResponse) {
			s = append(s, fmt.Sprintf("%s-%d=%d/%s", o.Topic, o.Partition, o.At, o.Metadata))
		})
		sort.Strings(s)
		return s, resp.Error()
	})
	call("listGroups", func(ctx context.Context) (any, error) {
		l, err := adm.ListGroups(ctx)
		var s []string
		for _, g := range l.Sorted() {
			if strings.HasPrefix(g.Group, prefix) {
				s = append(s, g.Group)
			}
		}
		return s, err
	})
	call("describeGroups", func(ctx context.Context) (any, error) {
		d, err := adm.DescribeGroups(ctx, groupID)
		if err != nil {
			return nil, err
		}
		return []any{d[groupID].State, len(d[groupID].Members)}, d[groupID].Err
	})
	call("deleteOffsets", func(ctx context.Context) (any, error) {
		resp, err := adm.DeleteOffsets(ctx, groupID, kadm.TopicsSet{t1: {1: {}}})
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return nil, err
		}
		f, err := adm.FetchOffsets(ctx, groupID)
		n := 0
		f.Each(func(kadm.OffsetResponse) { n++ })
		return n, err
	})
	call("deleteGroups", func(ctx context.Context) (any, error) {
		resp, err := adm.DeleteGroups(ctx, groupID)
		if err == nil {
			err = resp.Error()
		}
		return "ok", err
	})
	call("deleteGroupsMissing", func(ctx context.Context) (any, error) {
		resp, err := adm.DeleteGroups(ctx, prefix+"-never")
		if err == nil {
			err = resp.Error()
		}
		return "ok", err
	})
	call("deleteTopics", func(ctx context.Context) (any, error) {
		resp, err := adm.DeleteTopics(ctx, t2)
		if err == nil {
			err = resp.Error()
		}
		return "ok", err
	})
	// DescribeConfigs, then the APIs tsbroker does not serve yet.
	call("describeTopicConfigs", func(ctx context.Context) (any, error) {
		rc, err := adm.DescribeTopicConfigs(ctx, t1)
		if err != nil {
			return nil, err
		}
		c, err := rc.On(t1, nil)
		if err != nil {
			return nil, err
		}
		for _, e := range c.Configs {
			if e.Key == "cleanup.policy" {
				return e.MaybeValue(), c.Err
			}
		}
		return nil, c.Err
	})
	call("alterTopicConfigs", func(ctx context.Context) (any, error) {
		v := "3600000"
		resp, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: &v}}, t1)
		if err == nil {
			_, err = resp.On(t1, nil)
		}
		return "ok", err
	})
	call("describeACLs", func(ctx context.Context) (any, error) {
		b := kadm.NewACLs().AnyResource().Allow().Deny().Operations(kadm.OpAny).AllowHosts().DenyHosts()
		resp, err := adm.DescribeACLs(ctx, b)
		if err == nil && len(resp) > 0 {
			err = resp[0].Err
		}
		return "ok", err
	})
	call("describeLogDirs", func(ctx context.Context) (any, error) {
		_, err := adm.DescribeAllLogDirs(ctx, nil)
		return "ok", err
	})
	call("listTransactions", func(ctx context.Context) (any, error) {
		_, err := adm.ListTransactions(ctx, nil, nil)
		return "ok", err
	})
	call("describeClientQuotas", func(ctx context.Context) (any, error) {
		_, err := adm.DescribeClientQuotas(ctx, false, nil)
		return "ok", err
	})
	call("listPartitionReassignments", func(ctx context.Context) (any, error) {
		// With no topics kadm sends nothing; name one.
		_, err := adm.ListPartitionReassignments(ctx, kadm.TopicsSet{t1: {0: {}}})
		return "ok", err
	})
	out["results"], out["ms"] = r, ms
	return nil
}
