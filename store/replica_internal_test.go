package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

func TestOnlyAReplicaThatDoesNotAnswerSendsTheReadToThePrimary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want fault
	}{
		{"connection refused", fmt.Errorf("store: report: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), replicaDown},
		{"hung up", io.ErrUnexpectedEOF, replicaDown},
		{"bad connection", driver.ErrBadConn, replicaDown},
		{"shutting down", &pq.Error{Code: "57P01"}, replicaDown},
		{"starting up", &pq.Error{Code: "57P03"}, replicaDown},
		{"too many connections", &pq.Error{Code: "53300"}, replicaDown},
		{"conflict with recovery", &pq.Error{Code: "40001"}, replicaConflict},
		{"a syntax error", &pq.Error{Code: "42601"}, notReplicas},
		{"no rows", sql.ErrNoRows, notReplicas},
		{"cancelled", context.Canceled, notReplicas},
	}
	for _, tt := range tests {
		if got := replicaFault(tt.err); got != tt.want {
			t.Errorf("%s: fault %d, want %d", tt.name, got, tt.want)
		}
	}
}
