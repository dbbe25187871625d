package store_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/redis/go-redis/v9"
)

// TestSignInsAndLimitsWorkOnARedisClusterUnderAHashTag runs the sign-ins and the sign-in
// throttle on a three-node Redis Cluster: the keys that change together (a sign-in and its
// account's list) are on one node because the prefix holds a hash tag, as the configuration
// demands in Cluster mode.
func TestSignInsAndLimitsWorkOnARedisClusterUnderAHashTag(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three redis-server processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var nodes []string
	for range 3 {
		bus, err := storetest.FreePort() // not the port + 10000 the bus takes by default, which may be taken or beyond 65535
		if err != nil {
			t.Fatal(err)
		}
		r := storetest.NewRedisServerT(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "2000", "--cluster-port", strconv.Itoa(bus))
		nodes = append(nodes, r.Addr())
	}
	if out, err := exec.CommandContext(ctx, "redis-cli", append(append([]string{"--cluster", "create"}, nodes...), "--cluster-yes")...).
		CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	rdb, err := store.OpenRedis(ctx, store.RedisConfig{URL: "redis:///0", Cluster: nodes[:1]})
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("a cluster configuration opened a %T", rdb)
	}
	// The slots are assigned at once, but each node learns the others' over the cluster bus:
	// every node is asked, since one may say ok while the one holding the test's slot still
	// answers CLUSTERDOWN.
	for _, addr := range nodes {
		node := redis.NewClient(&redis.Options{Addr: addr})
		for {
			info, err := node.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("node %s of the cluster is not ready: %v %s", addr, err, info)
			}
			time.Sleep(100 * time.Millisecond)
		}
		node.Close()
	}

	const prefix = "{aula-test}:"
	signIns := store.NewSignIns(rdb, prefix, time.Hour, 2*time.Hour, nil)
	var tokens []string
	for range 2 {
		tok, err := signIns.Create(ctx, 42)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	if s, err := signIns.Get(ctx, tokens[0]); err != nil || s.UserID != 42 {
		t.Fatalf("sign-in read back as %+v, %v", s, err)
	}
	if err := signIns.DestroyAll(ctx, 42); err != nil {
		t.Fatalf("ending every sign-in of an account: %v", err)
	}
	for _, tok := range tokens {
		if _, err := signIns.Get(ctx, tok); err == nil {
			t.Error("a sign-in outlived the end of all its account's sign-ins")
		}
	}

	limiter := store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 2, PerIP: 50, Period: 15 * time.Minute})
	for i := range 3 {
		wait, err := limiter.AllowLogin(ctx, "ana@example.org", "10.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		if refused := wait > 0; refused != (i == 2) {
			t.Errorf("sign-in %d: wait %v", i+1, wait)
		}
	}
	if _, err := limiter.LoginSucceeded(ctx, "bea@example.org", "10.0.0.1", ""); err != nil {
		t.Errorf("a sign-in's success recorded: %v", errors.Join(err, fmt.Errorf("on %v", nodes)))
	}
}
