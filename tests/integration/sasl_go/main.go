// franz-go over a SASL_PLAINTEXT listener, for tests/integration/sasl_test.ts:
// produces 10 records to TOPIC as USER, reads them back without a group,
// and prints how many came back.
//
// usage: saslgo BOOTSTRAP MECHANISM USER PASSWORD TOPIC
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: saslgo BOOTSTRAP MECHANISM USER PASSWORD TOPIC")
		os.Exit(2)
	}
	bootstrap, mechanism, user, password, topic := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	var m sasl.Mechanism
	switch mechanism {
	case "PLAIN":
		m = plain.Auth{User: user, Pass: password}.AsMechanism()
	case "SCRAM-SHA-256":
		m = scram.Auth{User: user, Pass: password}.AsSha256Mechanism()
	case "SCRAM-SHA-512":
		m = scram.Auth{User: user, Pass: password}.AsSha512Mechanism()
	default:
		fmt.Fprintln(os.Stderr, "unknown mechanism", mechanism)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, err := kgo.NewClient(
		kgo.SeedBrokers(bootstrap),
		kgo.SASL(m),
		kgo.AllowAutoTopicCreation(),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer client.Close()
	for i := 0; i < 10; i++ {
		record := &kgo.Record{Topic: topic, Value: []byte(fmt.Sprintf("go-%d", i))}
		if err := client.ProduceSync(ctx, record).FirstErr(); err != nil {
			fmt.Fprintln(os.Stderr, "produce:", err)
			os.Exit(1)
		}
	}
	got := 0
	for got < 10 {
		fetches := client.PollFetches(ctx)
		if errs := fetches.Errors(); len(errs) > 0 {
			fmt.Fprintln(os.Stderr, "fetch:", errs)
			os.Exit(1)
		}
		got += fetches.NumRecords()
	}
	fmt.Println(got)
}
