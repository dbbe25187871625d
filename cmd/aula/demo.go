package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/catalog"
	"github.com/aula-school/aula/store"
)

// demoUsers are the demo school's people. Their passwords are public: never load the
// demo into a production database.
var demoUsers = []struct {
	role     courses.Role
	password string
	profile  courses.Profile
}{
	{courses.RoleAdmin, "aula-demo-admin", courses.Profile{FullName: "Adriana Morales", Email: "admin@aula.example",
		Country: "PA", Institution: "Aula", Sector: "other", Gender: "woman", Language: "es"}},
	{courses.RoleInstructor, "aula-demo-instructor", courses.Profile{FullName: "Ricardo Souza", Email: "instructor@aula.example",
		Country: "BR", Institution: "Academia de Polícia", Sector: "police", Gender: "man", Language: "pt"}},
	{courses.RoleTrainee, "aula-demo-trainee", courses.Profile{FullName: "Lucía Hernández", Email: "trainee@aula.example",
		Country: "GT", Institution: "Policía Nacional Civil", Sector: "police", Gender: "woman", Language: "es"}},
	{courses.RoleTrainee, "aula-demo-trainee", courses.Profile{FullName: "Marcus Thompson", Email: "marcus@aula.example",
		Country: "JM", Institution: "Kingston Community Radio", Sector: "media", Gender: "man", Language: "en"}},
	{courses.RoleTrainee, "aula-demo-trainee", courses.Profile{FullName: "Patricia Quispe", Email: "patricia@aula.example",
		Country: "PE", Institution: "Municipalidad de Ayacucho", Sector: "local_government", Gender: "", Language: "es"}},
}

// demo loads the demo school. Run twice, it leaves the same school: accounts are matched
// by email and their role and password reset.
func demo(ctx context.Context, cfg Config, stdout io.Writer) error {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
	for _, d := range demoUsers {
		u, err := st.UserByEmail(ctx, d.profile.Email)
		switch {
		case errors.Is(err, courses.ErrNotFound):
			_, err = st.CreateUser(ctx, d.profile, d.password, d.role)
		case err == nil:
			if err = st.SetPassword(ctx, u.ID, d.password); err == nil {
				if err = st.SetRole(ctx, u.ID, d.role); err == nil {
					err = st.SetActive(ctx, u.ID, true)
				}
			}
		}
		if err != nil {
			return fmt.Errorf("demo: %s: %w", d.profile.Email, err)
		}
	}
	instructor, err := st.UserByEmail(ctx, "instructor@aula.example")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	n, err := loadCatalog(ctx, st, instructor.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "The demo school is loaded: %d courses in the catalog. Demo accounts (email / password):\n", n)
	for _, d := range demoUsers[:3] {
		fmt.Fprintf(stdout, "  %-11s %-26s %s\n", d.role, d.profile.Email, d.password)
	}
	return nil
}

// loadCatalog imports every course of courses/catalog through the importer instructors use,
// and publishes it. Re-running updates the courses in place.
func loadCatalog(ctx context.Context, st *store.Store, ownerID int64) (int, error) {
	entries, err := fs.ReadDir(catalog.FS, ".")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub, err := fs.Sub(catalog.FS, e.Name())
		if err != nil {
			return n, err
		}
		b, problems := courses.ReadBundle(sub)
		if len(problems) > 0 {
			return n, fmt.Errorf("demo: course %s: %v", e.Name(), problems[0])
		}
		id, _, err := st.ImportBundle(ctx, ownerID, b)
		if err != nil {
			return n, fmt.Errorf("demo: %w", err)
		}
		if err := st.SetCourseStatus(ctx, id, courses.StatusPublished); err != nil {
			return n, fmt.Errorf("demo: %w", err)
		}
		n++
	}
	return n, nil
}
