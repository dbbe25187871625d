package main

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aula-school/aula/store"
)

func TestRedisAndReplicaConfigurationIsCheckedAndRead(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    store.RedisConfig
		readURL string
		bad     string // the variable the error names; "" when the configuration is good
	}{
		{name: "a single server by default", want: store.RedisConfig{URL: "redis://127.0.0.1:56379/0"}},
		{name: "sentinels with their master",
			env: map[string]string{"REDIS_URL": "redis://:secret@/2", "AULA_REDIS_SENTINELS": "10.0.0.1:26379, 10.0.0.2:26379,10.0.0.3:26379",
				"AULA_REDIS_MASTER": "aula", "AULA_REDIS_SENTINEL_PASSWORD": "watch"},
			want: store.RedisConfig{URL: "redis://:secret@/2", Sentinels: []string{"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"},
				Master: "aula", SentinelPassword: "watch"}},
		{name: "a cluster with a hash tag in the prefix",
			env:  map[string]string{"AULA_REDIS_CLUSTER": "r1:7000,r2:7000", "AULA_REDIS_PREFIX": "{aula}:"},
			want: store.RedisConfig{URL: "redis://127.0.0.1:56379/0", Cluster: []string{"r1:7000", "r2:7000"}}},
		{name: "a read replica", env: map[string]string{"DATABASE_READ_URL": "postgres://aula@replica/aula"},
			want: store.RedisConfig{URL: "redis://127.0.0.1:56379/0"}, readURL: "postgres://aula@replica/aula"},
		{name: "sentinels without a master", env: map[string]string{"AULA_REDIS_SENTINELS": "s1:26379"}, bad: "AULA_REDIS_MASTER"},
		{name: "a master without sentinels", env: map[string]string{"AULA_REDIS_MASTER": "aula"}, bad: "AULA_REDIS_MASTER"},
		{name: "a sentinel without a port", env: map[string]string{"AULA_REDIS_SENTINELS": "s1:26379,s2", "AULA_REDIS_MASTER": "aula"},
			bad: "AULA_REDIS_SENTINELS"},
		{name: "a sentinel port out of range", env: map[string]string{"AULA_REDIS_SENTINELS": "s1:99999", "AULA_REDIS_MASTER": "aula"},
			bad: "AULA_REDIS_SENTINELS"},
		{name: "a cluster node without a host", env: map[string]string{"AULA_REDIS_CLUSTER": ":7000", "AULA_REDIS_PREFIX": "{a}:"},
			bad: "AULA_REDIS_CLUSTER"},
		{name: "both sentinels and a cluster",
			env: map[string]string{"AULA_REDIS_SENTINELS": "s1:26379", "AULA_REDIS_MASTER": "aula", "AULA_REDIS_CLUSTER": "r1:7000"},
			bad: "AULA_REDIS_CLUSTER"},
		{name: "a cluster under the default prefix", env: map[string]string{"AULA_REDIS_CLUSTER": "r1:7000"}, bad: "AULA_REDIS_PREFIX"},
		{name: "a cluster under an empty hash tag", env: map[string]string{"AULA_REDIS_CLUSTER": "r1:7000", "AULA_REDIS_PREFIX": "{}aula:"},
			bad: "AULA_REDIS_PREFIX"},
		{name: "a cluster with a database", env: map[string]string{"AULA_REDIS_CLUSTER": "r1:7000", "AULA_REDIS_PREFIX": "{aula}:",
			"REDIS_URL": "redis://r1:7000/3"}, bad: "REDIS_URL"},
		{name: "a Redis URL go-redis refuses", env: map[string]string{"REDIS_URL": "redis://localhost/0?colour=blue"}, bad: "REDIS_URL"},
		{name: "a read URL that is not PostgreSQL", env: map[string]string{"DATABASE_READ_URL": "mysql://replica"}, bad: "DATABASE_READ_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig(envWith(tt.env))
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad+"=") {
					t.Fatalf("error %v does not name %s", err, tt.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.Redis, tt.want) || cfg.DatabaseReadURL != tt.readURL {
				t.Errorf("got %+v and read URL %q, want %+v and %q", cfg.Redis, cfg.DatabaseReadURL, tt.want, tt.readURL)
			}
		})
	}
}

// Every variable the configuration reads has its row in the README's table, with its default.
func TestTheREADMEDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range configVars {
		row := "| `" + v.name + "` | "
		i := strings.Index(string(readme), row)
		if i < 0 {
			t.Errorf("README.md has no row for %s", v.name)
			continue
		}
		if v.def != "" && !strings.HasPrefix(string(readme[i+len(row):]), "`"+v.def+"`") {
			t.Errorf("README.md's row for %s does not give its default %q", v.name, v.def)
		}
	}
}

// TestServeKeepsASoftMemoryLimitUnlessGOMEMLIMITSaysOtherwise: without GOMEMLIMIT, serve
// sets 150 MiB (the exam morning's 200 MB with room to spare); with it, Go's own reading of
// it stands.
func TestServeKeepsASoftMemoryLimitUnlessGOMEMLIMITSaysOtherwise(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want int64
	}{{"", 150 << 20}, {"1GiB", 0}, {"off", 0}} {
		cfg, err := loadConfig(func(name string) string {
			if name == "GOMEMLIMIT" {
				return tt.env
			}
			return ""
		})
		if err != nil || cfg.MemoryLimit != tt.want {
			t.Errorf("GOMEMLIMIT=%q: limit %d (%v), want %d", tt.env, cfg.MemoryLimit, err, tt.want)
		}
	}
}

// The lanes' bounds: empty is the handlers' default (0), a number of 1 or more is taken, and
// anything else is refused naming its variable.
func TestTheLanesBoundsAreReadAndChecked(t *testing.T) {
	for _, tt := range []struct {
		env          map[string]string
		pages, heavy int
		bad          string
	}{
		{env: nil},
		{env: map[string]string{"AULA_MAX_REQUESTS": "32", "AULA_MAX_HEAVY_REQUESTS": " 3 "}, pages: 32, heavy: 3},
		{env: map[string]string{"AULA_MAX_REQUESTS": "0"}, bad: "AULA_MAX_REQUESTS"},
		{env: map[string]string{"AULA_MAX_REQUESTS": "lots"}, bad: "AULA_MAX_REQUESTS"},
		{env: map[string]string{"AULA_MAX_HEAVY_REQUESTS": "-2"}, bad: "AULA_MAX_HEAVY_REQUESTS"},
		{env: map[string]string{"AULA_MAX_HEAVY_REQUESTS": "20000"}, bad: "AULA_MAX_HEAVY_REQUESTS"},
	} {
		cfg, err := loadConfig(envWith(tt.env))
		if tt.bad != "" {
			if err == nil || !strings.Contains(err.Error(), tt.bad+"=") {
				t.Errorf("%v: error %v does not name %s", tt.env, err, tt.bad)
			}
			continue
		}
		if err != nil || cfg.MaxRequests != tt.pages || cfg.MaxHeavyRequests != tt.heavy {
			t.Errorf("%v: %d and %d (%v), want %d and %d", tt.env, cfg.MaxRequests, cfg.MaxHeavyRequests, err, tt.pages, tt.heavy)
		}
	}
}
