// franz-go over an SSL or SASL_SSL listener, for tests/integration/tls_test.ts:
// connects with TLS (the CA's certificates as roots, and a client certificate
// unless CERT is "-"), authenticates with SASL unless MECHANISM is "-",
// produces 10 records to TOPIC, reads them back without a group, and prints
// how many came back.
//
// usage: tlsgo BOOTSTRAP CA CERT KEY MECHANISM USER PASSWORD TOPIC
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 9 {
		fmt.Fprintln(os.Stderr, "usage: tlsgo BOOTSTRAP CA CERT KEY MECHANISM USER PASSWORD TOPIC")
		os.Exit(2)
	}
	bootstrap, ca, cert, key := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	mechanism, user, password, topic := os.Args[5], os.Args[6], os.Args[7], os.Args[8]
	pem, err := os.ReadFile(ca)
	if err != nil {
		fail("%v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		fail("no certificate in %s", ca)
	}
	config := &tls.Config{RootCAs: roots, ServerName: "localhost"}
	if cert != "-" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			fail("%v", err)
		}
		config.Certificates = []tls.Certificate{pair}
	}
	options := []kgo.Opt{
		kgo.SeedBrokers(bootstrap),
		kgo.DialTLSConfig(config),
		kgo.AllowAutoTopicCreation(),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}
	switch mechanism {
	case "-":
	case "PLAIN":
		options = append(options, kgo.SASL(plain.Auth{User: user, Pass: password}.AsMechanism()))
	case "SCRAM-SHA-256":
		options = append(options, kgo.SASL(scram.Auth{User: user, Pass: password}.AsSha256Mechanism()))
	default:
		fail("unknown mechanism %s", mechanism)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, err := kgo.NewClient(options...)
	if err != nil {
		fail("%v", err)
	}
	defer client.Close()
	for i := 0; i < 10; i++ {
		record := &kgo.Record{Topic: topic, Value: []byte(fmt.Sprintf("go-%d", i))}
		if err := client.ProduceSync(ctx, record).FirstErr(); err != nil {
			fail("produce: %v", err)
		}
	}
	got := 0
	for got < 10 {
		fetches := client.PollFetches(ctx)
		if errs := fetches.Errors(); len(errs) > 0 {
			fail("fetch: %v", errs)
		}
		got += fetches.NumRecords()
	}
	fmt.Println(got)
}
