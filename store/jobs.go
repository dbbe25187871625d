package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
)

// Jobs is Aula's background work, in River's queue on the school's PostgreSQL: every app
// instance runs a client, River elects one leader to schedule periodic jobs, and each job
// is worked once, by whichever instance takes it.
type Jobs struct {
	client *river.Client[*sql.Tx]
}

// JobsConfig says how often the periodic jobs run and what time it is.
type JobsConfig struct {
	Now          func() time.Time // the app's clock
	SweepEvery   time.Duration    // how often overdue attempts are finished (default 30 s)
	PollInterval time.Duration    // how often a client looks for new jobs (default River's)
	// RescueAfter is how long a job may stay "running" before River takes it for one whose
	// instance died and runs it again (default 2 minutes: longer than any job's timeout, so a
	// job still at work is never run twice at once).
	RescueAfter time.Duration
	Logger      *slog.Logger
	// ReportsEvery is how often the reports' copies are refreshed (default ReportsFreshness).
	ReportsEvery time.Duration
	// Mail is how the outbox is sent (its zero value keeps every email, rendered plainly).
	Mail MailConfig
	// NoticesEvery is how often the session reminders, expiry and quiz-closing notices are
	// looked for (default 15 minutes).
	NoticesEvery time.Duration
}

// finishOverdueArgs is the periodic job that finishes attempts whose time is up.
type finishOverdueArgs struct{}

func (finishOverdueArgs) Kind() string { return "finish_overdue_attempts" }

type finishOverdueWorker struct {
	river.WorkerDefaults[finishOverdueArgs]
	store *Store
	now   func() time.Time
}

func (w *finishOverdueWorker) Work(ctx context.Context, _ *river.Job[finishOverdueArgs]) error {
	_, err := w.store.FinishOverdue(ctx, w.now())
	return err
}

// refreshReportsArgs is the periodic job that refreshes the reports' copies.
type refreshReportsArgs struct{}

func (refreshReportsArgs) Kind() string { return "refresh_reports" }

type refreshReportsWorker struct {
	river.WorkerDefaults[refreshReportsArgs]
	store *Store
	now   func() time.Time
}

func (w *refreshReportsWorker) Work(ctx context.Context, _ *river.Job[refreshReportsArgs]) error {
	return w.store.RefreshReports(ctx, w.now())
}

// StartJobs starts this instance's River client. Stop it with Jobs.Stop.
func (s *Store) StartJobs(ctx context.Context, cfg JobsConfig) (*Jobs, error) {
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = 30 * time.Second
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 2 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &finishOverdueWorker{store: s, now: cfg.Now}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &issueBatchWorker{store: s, now: cfg.Now}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &refreshReportsWorker{store: s, now: cfg.Now}); err != nil {
		return nil, err
	}
	if cfg.Mail.Render == nil {
		cfg.Mail.Render = plainMessage
	}
	if cfg.Mail.RetryAfter <= 0 {
		cfg.Mail.RetryAfter = 30 * time.Second
	}
	if err := river.AddWorkerSafely(workers, &sendEmailWorker{store: s, cfg: cfg.Mail, now: cfg.Now}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &resetRequestWorker{store: s}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &sendNoticesWorker{store: s, now: cfg.Now}); err != nil {
		return nil, err
	}
	if cfg.NoticesEvery <= 0 {
		cfg.NoticesEvery = 15 * time.Minute
	}
	if cfg.ReportsEvery <= 0 {
		cfg.ReportsEvery = ReportsFreshness
	}
	every := cfg.SweepEvery
	unique := max(every, time.Second) // River's shortest unique period
	client, err := river.NewClient(riverdatabasesql.New(s.db.DB), &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}, emailQueue: {MaxWorkers: 4}},
		Workers:              workers,
		Logger:               cfg.Logger,
		FetchPollInterval:    cfg.PollInterval,
		RescueStuckJobsAfter: cfg.RescueAfter,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				// Unique by period: a new leader elected mid-period does not schedule a second sweep.
				return finishOverdueArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: unique}}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(cfg.ReportsEvery), func() (river.JobArgs, *river.InsertOpts) {
				return refreshReportsArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: max(cfg.ReportsEvery, time.Second)}}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			// Unique by period too; and were two runs to overlap, the notices' tables send each once.
			river.NewPeriodicJob(river.PeriodicInterval(cfg.NoticesEvery), func() (river.JobArgs, *river.InsertOpts) {
				return sendNoticesArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: max(cfg.NoticesEvery, time.Second)}}
			}, &river.PeriodicJobOpts{RunOnStart: true})},
	})
	if err != nil {
		return nil, fmt.Errorf("store: jobs: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("store: start jobs: %w", err)
	}
	return &Jobs{client: client}, nil
}

// Stop lets the jobs in hand finish, until ctx is done.
func (j *Jobs) Stop(ctx context.Context) error { return j.client.Stop(ctx) }
