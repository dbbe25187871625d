package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
)

// courseCommand imports a course from a folder or zip, or exports one to a zip:
//
//	aula course import PATH --owner EMAIL [--publish]
//	aula course export SLUG FILE.zip
func courseCommand(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("course: import or export: %w", errUsage)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "import":
		fs := flag.NewFlagSet("course import", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		owner := fs.String("owner", "", "email of the instructor who owns a new course")
		publish := fs.Bool("publish", false, "publish the course")
		if len(args) < 2 {
			return fmt.Errorf("course import: a folder or zip: %w", errUsage)
		}
		if err := fs.Parse(args[2:]); err != nil {
			return fmt.Errorf("course import: %w", err)
		}
		return importCourse(ctx, st, args[1], *owner, *publish, stdout)
	case "export":
		if len(args) != 3 {
			return fmt.Errorf("course export: SLUG FILE.zip: %w", errUsage)
		}
		c, err := st.CourseBySlug(ctx, args[1])
		if err != nil {
			return err
		}
		b, err := st.ExportBundle(ctx, c.ID)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := courses.WriteBundleZip(b, &buf); err != nil {
			return err
		}
		if err := os.WriteFile(args[2], buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Exported %s to %s.\n", c.Slug, args[2])
		return nil
	}
	return fmt.Errorf("course %s: %w", args[0], errUsage)
}

func importCourse(ctx context.Context, st *store.Store, path, ownerEmail string, publish bool, stdout io.Writer) error {
	owner, err := st.UserByEmail(ctx, ownerEmail)
	if err != nil || (owner.Role != courses.RoleInstructor && owner.Role != courses.RoleAdmin) {
		return fmt.Errorf("course import: --owner %q: no instructor or admin with that email", ownerEmail)
	}
	var b courses.Bundle
	var problems []courses.BundleError
	if strings.HasSuffix(strings.ToLower(path), ".zip") {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		b, problems = courses.ReadBundleZip(bytes.NewReader(data), int64(len(data)))
	} else {
		b, problems = courses.ReadBundle(os.DirFS(path))
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, p.Error())
		}
		return fmt.Errorf("course import: %d problems; nothing was written", len(problems))
	}
	id, created, err := st.ImportBundle(ctx, owner.ID, b)
	if errors.Is(err, courses.ErrForbidden) {
		return fmt.Errorf("course import: %s belongs to a course %s does not teach", b.Course.Slug, ownerEmail)
	}
	if err != nil {
		return err
	}
	if publish {
		if err := st.SetCourseStatus(ctx, courses.Actor{}, id, courses.StatusPublished); err != nil {
			return err
		}
	}
	verb := "Updated"
	if created {
		verb = "Imported"
	}
	fmt.Fprintf(stdout, "%s %s (%d lessons).\n", verb, b.Course.Slug, b.Course.LessonCount())
	return nil
}
