package handlers

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestPanicBecomesTranslated500AndIsLogged(t *testing.T) {
	var logs bytes.Buffer
	a, err := New(Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	a.engine.GET("/boom", func(*gin.Context) { panic("kaboom") })
	req := httptest.NewRequest(http.MethodGet, "/boom", nil)
	req.Header.Set("Accept-Language", "pt")
	req.Header.Set("X-Request-ID", "test-request-123")
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(string(body), "Algo deu errado") {
		t.Fatalf("status %d body %s", rec.Code, body)
	}
	if strings.Contains(string(body), "kaboom") {
		t.Fatal("the panic's text reached the page")
	}
	if rec.Header().Get("X-Request-ID") != "test-request-123" {
		t.Fatal("request id not kept")
	}
	line := logs.String()
	if strings.Count(line, "\n") != 1 || !strings.Contains(line, `"request_id":"test-request-123"`) || !strings.Contains(line, "kaboom") || !strings.Contains(line, `"status":500`) {
		t.Fatalf("log: %s", line)
	}
}
