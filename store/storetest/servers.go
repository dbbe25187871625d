package storetest

// Real servers for the fault tests and `make chaos`: a private PostgreSQL cluster, a Redis
// process and Aula processes, each on a free loopback port, that a test can stop, kill,
// restart or pause as an operator or a crash would. The core returns errors (cmd/aula-chaos
// uses it outside `go test`); the *T functions are thin wrappers for tests.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// FreePort returns a loopback port that nothing listens on at the moment.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("storetest: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WorkDir makes a folder for a server's files that the postgres user can reach when this
// process runs as root (a test's 0700 TempDir is not): under /var/tmp, owned by postgres.
func WorkDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("/var/tmp", "aula-"+prefix+"-")
	if err != nil {
		return "", fmt.Errorf("storetest: work folder: %w", err)
	}
	if err := chownPostgres(dir); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

func chownPostgres(path string) error {
	if os.Getuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("storetest: running as root needs a postgres user (Debian's postgresql package makes it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("storetest: chown %s: %w", path, err)
	}
	return nil
}

// PGBin finds the folder of PostgreSQL's programs as scripts/dev.sh does: the newest
// /usr/lib/postgresql/*/bin with initdb and pg_ctl, else the ones on PATH.
func PGBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("storetest: PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// PGCommand runs one of PostgreSQL's programs from bin, as the postgres user when this
// process is root (initdb and postgres refuse to run as root).
func PGCommand(ctx context.Context, bin, program string, args ...string) *exec.Cmd {
	path := filepath.Join(bin, program)
	if os.Getuid() == 0 {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.CommandContext(ctx, path, args...)
}

func runOut(cmd *exec.Cmd) error {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("storetest: %s: %w: %s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(lastLines(out.String(), 10)))
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// tailFile returns the last n lines of a log file, for an error message.
func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return lastLines(string(b), n)
}

// errGone is what a readiness check returns once the process it waits for has exited.
var errGone = errors.New("the process exited")

// waitFor calls ready every 50 ms until it returns nil or errGone, or ctx ends.
func waitFor(ctx context.Context, ready func() error) error {
	for {
		err := ready()
		if err == nil || errors.Is(err, errGone) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// PostgresServer is a private PostgreSQL cluster: its own data folder, port and postmaster.
type PostgresServer struct {
	Bin  string // the folder of initdb, pg_ctl, postgres, pg_basebackup
	Dir  string // the folder that holds the cluster (Data) and its log; removed by Close
	Data string // the data folder
	Port int
	Log  string // the server's log file

	mu     sync.Mutex
	paused []int // the processes SIGSTOPped by Pause
	resume *time.Timer
}

// PostgresOptions are extra lines for postgresql.conf. fsync is off unless Durable: the
// machine does not crash in a test, only the server, and the operating system keeps what it
// was given. synchronous_commit stays on whatever the options, because a commit that is
// acknowledged before its WAL is written is lost by an immediate stop, which is what the
// fault tests check does not happen.
type PostgresOptions struct {
	Durable bool
	Conf    []string
}

// NewPostgresServer makes a cluster with a role aula and a database aula that it owns (trust
// authentication on 127.0.0.1), ready for a streaming replica (wal_level=replica, WAL
// senders, a replication line in pg_hba.conf), and starts it.
func NewPostgresServer(ctx context.Context, opts PostgresOptions) (*PostgresServer, error) {
	bin, err := PGBin()
	if err != nil {
		return nil, err
	}
	dir, err := WorkDir("pg")
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p := &PostgresServer{Bin: bin, Dir: dir, Data: filepath.Join(dir, "data"), Port: port, Log: filepath.Join(dir, "server.log")}
	fail := func(err error) (*PostgresServer, error) {
		p.Close()
		return nil, err
	}
	if err := runOut(PGCommand(ctx, bin, "initdb", "-D", p.Data, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8")); err != nil {
		return fail(err)
	}
	conf := []string{
		"listen_addresses = '127.0.0.1'",
		"unix_socket_directories = '" + p.Dir + "'",
		"max_connections = 300",
		"wal_level = replica",
		"max_wal_senders = 5",
		"max_replication_slots = 5",
		"hot_standby = on",
	}
	if !opts.Durable {
		conf = append(conf, "fsync = off", "full_page_writes = off")
	}
	conf = append(conf, opts.Conf...)
	if err := appendFile(filepath.Join(p.Data, "postgresql.conf"), strings.Join(conf, "\n")+"\n"); err != nil {
		return fail(err)
	}
	if err := appendFile(filepath.Join(p.Data, "pg_hba.conf"), "host replication all 127.0.0.1/32 trust\n"); err != nil {
		return fail(err)
	}
	// A port another program took between FreePort and the start: another port.
	for try := 0; ; try++ {
		err := p.Start(ctx)
		if err == nil {
			break
		}
		if try == 2 || !strings.Contains(err.Error(), "ddress already in use") {
			return fail(err)
		}
		if p.Port, err = FreePort(); err != nil {
			return fail(err)
		}
	}
	for _, sql := range []string{"CREATE ROLE aula LOGIN SUPERUSER REPLICATION", "CREATE DATABASE aula OWNER aula"} {
		if err := runOut(PGCommand(ctx, bin, "psql", "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-U", "postgres",
			"-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql)); err != nil {
			return fail(err)
		}
	}
	return p, nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("storetest: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("storetest: %w", err)
	}
	return f.Close()
}

// URL is the aula database's address, for DATABASE_URL.
func (p *PostgresServer) URL() string {
	return fmt.Sprintf("postgres://aula@127.0.0.1:%d/aula?sslmode=disable", p.Port)
}

// Addr is host:port.
func (p *PostgresServer) Addr() string { return fmt.Sprintf("127.0.0.1:%d", p.Port) }

// Start starts the server and waits until it accepts connections.
func (p *PostgresServer) Start(ctx context.Context) error {
	// -o -p: the port on the command line, so that a replica made by copying this folder can
	// be given its own.
	if err := runOut(PGCommand(ctx, p.Bin, "pg_ctl", "-D", p.Data, "-l", p.Log, "-w", "-t", "60",
		"-o", "-p "+strconv.Itoa(p.Port), "start")); err != nil {
		return fmt.Errorf("%w\n%s", err, tailFile(p.Log, 10))
	}
	return nil
}

// Stop stops the server: fast (ends sessions, checkpoints) or, with immediate, as a crash
// does (recovery from WAL at the next start).
func (p *PostgresServer) Stop(ctx context.Context, immediate bool) error {
	p.Resume() // a stopped postmaster cannot stop
	mode := "fast"
	if immediate {
		mode = "immediate"
	}
	return runOut(PGCommand(ctx, p.Bin, "pg_ctl", "-D", p.Data, "-m", mode, "-w", "-t", "60", "stop"))
}

// Restart stops the server (fast or immediate) and starts it again.
func (p *PostgresServer) Restart(ctx context.Context, immediate bool) error {
	if err := p.Stop(ctx, immediate); err != nil {
		return err
	}
	return p.Start(ctx)
}

// Pause freezes the postmaster and every process it started (SIGSTOP), as a machine that
// stalls does: connections stay open and nothing answers. They resume after d, or at Resume.
func (p *PostgresServer) Pause(d time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused != nil {
		return errors.New("storetest: PostgreSQL is already paused")
	}
	pid, err := p.postmasterPID()
	if err != nil {
		return err
	}
	// The postmaster first, so that it starts no process after the children are listed.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("storetest: SIGSTOP postmaster: %w", err)
	}
	p.paused = []int{pid}
	for _, c := range childrenOf(pid) {
		if syscall.Kill(c, syscall.SIGSTOP) == nil {
			p.paused = append(p.paused, c)
		}
	}
	p.resume = time.AfterFunc(d, p.Resume)
	return nil
}

// Resume lets the processes that Pause froze run again (children first, then the postmaster).
func (p *PostgresServer) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resume != nil {
		p.resume.Stop()
		p.resume = nil
	}
	for i := len(p.paused) - 1; i >= 0; i-- {
		_ = syscall.Kill(p.paused[i], syscall.SIGCONT)
	}
	p.paused = nil
}

// postmasterPID reads the first line of postmaster.pid.
func (p *PostgresServer) postmasterPID() (int, error) {
	f, err := os.Open(filepath.Join(p.Data, "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("storetest: PostgreSQL is not running: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return 0, errors.New("storetest: empty postmaster.pid")
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s.Text()))
	if err != nil {
		return 0, fmt.Errorf("storetest: postmaster.pid: %w", err)
	}
	return pid, nil
}

// childrenOf lists the processes whose parent is pid, from /proc/*/stat.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var kids []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) >= 2 && f[1] == strconv.Itoa(pid) {
			kids = append(kids, n)
		}
	}
	return kids
}

// Close stops the server as a crash would and removes its folder.
func (p *PostgresServer) Close() {
	p.Resume()
	if _, err := os.Stat(filepath.Join(p.Data, "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_ = runOut(PGCommand(ctx, p.Bin, "pg_ctl", "-D", p.Data, "-m", "immediate", "-w", "stop"))
		cancel()
	}
	os.RemoveAll(p.Dir)
}

// RedisServer is a redis-server process on its own port, without persistence unless its
// arguments ask for it.
type RedisServer struct {
	Port int
	Dir  string   // its working folder and log; removed by Close
	Args []string // extra arguments to redis-server (e.g. --replicaof 127.0.0.1 PORT, or --sentinel)
	// Config is a configuration file given before every argument, or "": a sentinel needs
	// one, which it rewrites.
	Config string
	Log    string
	// Program is the command run: redis-server unless set (redis-sentinel for a Sentinel).
	Program string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// NewRedisServer starts a redis-server on a free port with no persistence (--save "" --appendonly
// no) and the extra args.
func NewRedisServer(ctx context.Context, args ...string) (*RedisServer, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "aula-redis-")
	if err != nil {
		return nil, fmt.Errorf("storetest: %w", err)
	}
	r := &RedisServer{Port: port, Dir: dir, Args: args, Log: filepath.Join(dir, "redis.log")}
	// A port another program took between FreePort and the start: another port.
	for try := 0; ; try++ {
		err := r.Start(ctx)
		if err == nil {
			return r, nil
		}
		if try == 2 || !strings.Contains(err.Error(), "ddress already in use") {
			os.RemoveAll(dir)
			return nil, err
		}
		if r.Port, err = FreePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

// URL is the address for REDIS_URL.
func (r *RedisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.Port) }

// Addr is host:port.
func (r *RedisServer) Addr() string { return fmt.Sprintf("127.0.0.1:%d", r.Port) }

// Start starts the server (again, on the same port) and waits until it answers PING.
func (r *RedisServer) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return errors.New("storetest: Redis is already running")
	}
	var args []string
	if r.Config != "" {
		args = append(args, r.Config)
	}
	args = append(args, "--port", strconv.Itoa(r.Port), "--bind", "127.0.0.1", "--dir", r.Dir,
		"--logfile", r.Log, "--save", "", "--appendonly", "no", "--daemonize", "no")
	args = append(args, r.Args...)
	program := r.Program
	if program == "" {
		program = "redis-server"
	}
	cmd := exec.Command(program, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("storetest: redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	r.cmd, r.exited = cmd, exited
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	err := waitFor(wait, func() error {
		select {
		case <-exited:
			return errGone
		default:
		}
		return redisPing(r.Addr())
	})
	if err != nil {
		_ = cmd.Process.Kill()
		<-exited
		r.cmd = nil
		return fmt.Errorf("storetest: redis-server on %d: %w\n%s", r.Port, err, tailFile(r.Log, 10))
	}
	return nil
}

// redisPing sends PING and wants +PONG.
func redisPing(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// Kill ends the server with SIGKILL: without persistence everything it held is gone.
func (r *RedisServer) Kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.exited // gone, and its port free for Start
	r.cmd = nil
}

// Restart kills the server and starts an empty one on the same port.
func (r *RedisServer) Restart(ctx context.Context) error {
	r.Kill()
	return r.Start(ctx)
}

// Close kills the server and removes its folder.
func (r *RedisServer) Close() {
	r.Kill()
	os.RemoveAll(r.Dir)
}

// BuildAula builds the aula command (without the race detector) into dir and returns its path.
func BuildAula(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("storetest: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("storetest: not inside the aula module")
	}
	bin := filepath.Join(dir, "aula")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/aula")
	cmd.Dir = filepath.Dir(gomod)
	if err := runOut(cmd); err != nil {
		return "", err
	}
	return bin, nil
}

// AulaServer is one `aula serve` process on its own port.
type AulaServer struct {
	Bin  string
	Env  []string // KEY=VALUE, added to this process's environment; AULA_ADDR is set from Port
	Port int
	Log  string // stdout and stderr of every start, appended

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	served bool // has been ready once: its port is its own
}

// NewAulaServer prepares an instance on a free port that logs to dir/name.log; Start starts it.
func NewAulaServer(bin, dir, name string, env ...string) (*AulaServer, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return &AulaServer{Bin: bin, Env: env, Port: port, Log: filepath.Join(dir, name+".log")}, nil
}

// URL is the instance's base URL.
func (a *AulaServer) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", a.Port) }

func (a *AulaServer) environ() []string {
	env := append(os.Environ(), "AULA_METRICS_ADDR=off", "AULA_TWO_FACTOR_REQUIRED=none", "AULA_LOG_LEVEL=warn")
	env = append(env, a.Env...)
	return append(env, fmt.Sprintf("AULA_ADDR=127.0.0.1:%d", a.Port), "AULA_BASE_URL="+a.URL())
}

// Run runs another aula command (migrate, demo, course import …) with the instance's
// environment and returns its output.
func (a *AulaServer) Run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, a.Bin, args...)
	cmd.Env = a.environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("storetest: aula %s: %w: %s", strings.Join(args, " "), err, lastLines(string(out), 10))
	}
	return string(out), nil
}

// Start starts `aula serve` and waits until /readyz answers 200; a process that exits
// before (PostgreSQL or Redis not back yet) is started again until ctx ends.
func (a *AulaServer) Start(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cmd != nil {
		return errors.New("storetest: aula is already running")
	}
	client := &http.Client{Timeout: time.Second}
	for {
		if err := a.start(); err != nil {
			return err
		}
		err := waitFor(ctx, func() error {
			select {
			case <-a.exited:
				return errGone
			default:
			}
			resp, err := client.Get(a.URL() + "/readyz")
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("/readyz answered %d", resp.StatusCode)
			}
			return nil
		})
		if err == nil {
			a.served = true
			return nil
		}
		select {
		case <-a.exited:
			a.cmd = nil
			if ctx.Err() == nil {
				// PostgreSQL or Redis not back yet: again. A port another program took between
				// FreePort and the first start: another port (later starts keep theirs).
				if !a.served && strings.Contains(lastLines(tailFile(a.Log, 3), 3), "address already in use") {
					if port, perr := FreePort(); perr == nil {
						a.Port = port
					}
				}
				time.Sleep(200 * time.Millisecond)
				continue
			}
		default:
			a.kill()
		}
		return fmt.Errorf("storetest: aula on %d not ready: %w\n%s", a.Port, err, tailFile(a.Log, 15))
	}
}

func (a *AulaServer) start() error {
	logf, err := os.OpenFile(a.Log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("storetest: %w", err)
	}
	fmt.Fprintf(logf, "--- start %s\n", time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(a.Bin, "serve")
	cmd.Env = a.environ()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("storetest: aula serve: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	a.cmd, a.exited = cmd, exited
	return nil
}

// Kill ends the process with SIGKILL, as a crash does, and waits until it is gone.
func (a *AulaServer) Kill() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.kill()
}

func (a *AulaServer) kill() {
	if a.cmd == nil {
		return
	}
	_ = a.cmd.Process.Kill()
	<-a.exited
	a.cmd = nil
}

// Running says whether the process is alive.
func (a *AulaServer) Running() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cmd == nil {
		return false
	}
	select {
	case <-a.exited:
		return false
	default:
		return true
	}
}

// Restart kills the process and starts it again.
func (a *AulaServer) Restart(ctx context.Context) error {
	a.Kill()
	return a.Start(ctx)
}

// LogTail is the end of the instance's log, for a failure message.
func (a *AulaServer) LogTail(n int) string { return tailFile(a.Log, n) }

// NewPostgresServerT starts a private cluster for t and removes it when t ends.
func NewPostgresServerT(t testing.TB, opts PostgresOptions) *PostgresServer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := NewPostgresServer(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("PostgreSQL's log:\n%s", tailFile(p.Log, 20))
		}
		p.Close()
	})
	return p
}

// NewRedisServerT starts a redis-server for t and kills it when t ends.
func NewRedisServerT(t testing.TB, args ...string) *RedisServer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := NewRedisServer(ctx, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// BuildAulaT builds the aula command into a folder of t's.
func BuildAulaT(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := BuildAula(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// NewAulaServerT prepares an instance for t (not started), killed when t ends; its log's
// tail is shown if t fails.
func NewAulaServerT(t testing.TB, bin, name string, env ...string) *AulaServer {
	t.Helper()
	a, err := NewAulaServer(bin, t.TempDir(), name, env...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Kill()
		if t.Failed() {
			t.Logf("%s's log:\n%s", name, a.LogTail(30))
		}
	})
	return a
}

// StartAulaT prepares an instance for t and starts it.
func StartAulaT(t testing.TB, bin, name string, env ...string) *AulaServer {
	t.Helper()
	a := NewAulaServerT(t, bin, name, env...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}

// SecretKey is Secret in base64, for AULA_SECRET_KEY.
func SecretKey() string { return base64.StdEncoding.EncodeToString(Secret) }
