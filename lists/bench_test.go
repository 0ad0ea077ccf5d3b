package lists

import (
	"bufio"
	"context"
	"fmt"
	"github.com/outdial/outdial/internal/pgtest"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/store/sqldb"
	"github.com/outdial/outdial/store/sqlite"
)

// Benchmarks read their sizes from the environment so scripts/bench-lists.sh can run
// the full 1,000,000-row case; the defaults keep go test -bench quick.
//
//	OUTDIAL_BENCH_CSV       a contact CSV to import (default: generated, OUTDIAL_BENCH_ROWS rows)
//	OUTDIAL_BENCH_ROWS      generated contact rows (default 20000)
//	OUTDIAL_BENCH_DNC       DNC entries for the scrub (default 2 x rows)
//	OUTDIAL_BENCH_BACKEND   sqlite (default) or postgres (uses OUTDIAL_TEST_DATABASE_URL)
func benchEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// writeContactsCSV writes rows contacts with 10 columns; numbers are valid NANPA
// numbers +1 212/646/718 2xx xxxx drawn without repeats from a seeded sequence.
func writeContactsCSV(w io.Writer, rows int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintln(bw, "phone,first_name,last_name,time_zone,priority,account,balance,due_date,city,notes")
	r := rand.New(rand.NewPCG(seed, 7))
	areas := []string{"212", "646", "718"}
	for i := 0; i < rows; i++ {
		fmt.Fprintf(bw, "+1%s%07d,First%d,Last%d,America/New_York,%d,ACC-%08d,%d.%02d,2026-%02d-%02d,New York,\"note, %d\"\n",
			areas[i%3], 2000000+i/3, i, i, r.IntN(10), i, r.IntN(10000), r.IntN(100), 1+r.IntN(12), 1+r.IntN(28), i)
	}
	return bw.Flush()
}

func benchStore(b *testing.B) *sqldb.DB {
	b.Helper()
	ctx := context.Background()
	if os.Getenv("OUTDIAL_BENCH_BACKEND") == "postgres" {
		return pgtest.Open(b, "bench")
	}
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

func benchCSV(b *testing.B) (string, int) {
	if p := os.Getenv("OUTDIAL_BENCH_CSV"); p != "" {
		return p, 0
	}
	rows := benchEnvInt("OUTDIAL_BENCH_ROWS", 20000)
	p := filepath.Join(b.TempDir(), "contacts.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := writeContactsCSV(f, rows, 1); err != nil {
		b.Fatal(err)
	}
	return p, rows
}

func unlimited() config.Limits {
	return config.Limits{ContactsPerList: 100_000_000, ContactsPerAccount: 1_000_000_000, DNCEntriesPerList: 100_000_000, DNCEntriesPerAccount: 1_000_000_000}
}

func BenchmarkImportContacts(b *testing.B) {
	path, _ := benchCSV(b)
	st := benchStore(b)
	svc := New(st, Options{Limits: unlimited()})
	ctx := context.Background()
	var rows int64
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		l, rep, err := svc.CreateContactList(ctx, NewList{Name: fmt.Sprintf("bench %d", i)}, f, ImportOptions{})
		f.Close()
		if err != nil || rep.Rejected != 0 {
			b.Fatalf("import: %v, %+v", err, rep)
		}
		rows += l.Entries
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
}

func BenchmarkScrub(b *testing.B) {
	path, _ := benchCSV(b)
	st := benchStore(b)
	svc := New(st, Options{Limits: unlimited()})
	ctx := context.Background()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	contacts, _, err := svc.CreateContactList(ctx, NewList{Name: "contacts"}, f, ImportOptions{})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	// The DNC list holds every third contact's number and as many numbers again
	// that match nothing, up to OUTDIAL_BENCH_DNC entries.
	dncN := benchEnvInt("OUTDIAL_BENCH_DNC", int(contacts.Entries)*2)
	g, err := st.GlobalDNC(ctx)
	if err != nil {
		b.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 1<<20)
		fmt.Fprintln(bw, "number")
		for i := 0; i < dncN; i++ {
			if i%2 == 0 && i/2 < int(contacts.Entries) && (i/2)%3 == 0 {
				k := i / 2
				fmt.Fprintf(bw, "+1%s%07d\n", []string{"212", "646", "718"}[k%3], 2000000+k/3)
			} else {
				fmt.Fprintf(bw, "+1305%07d\n", 2000000+i)
			}
		}
		bw.Flush()
		pw.Close()
	}()
	rep, err := svc.AppendDNC(ctx, g.ID, pr, ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var res ScrubResult
	for i := 0; i < b.N; i++ {
		if res, err = svc.Scrub(ctx, []int64{contacts.ID}, ScrubOptions{}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if res.Excluded == 0 {
		b.Fatalf("scrub excluded nothing: %+v", res)
	}
	// The same scrub streamed through Go (what Scrub does when the store cannot
	// count inside the database), for comparison.
	start := time.Now()
	streamed, err := New(streamingStore{st}, Options{Limits: unlimited()}).Scrub(ctx, []int64{contacts.ID}, ScrubOptions{}, nil)
	if err != nil || streamed.Excluded != res.Excluded {
		b.Fatalf("streamed scrub = %+v, %v; want %+v", streamed, err, res)
	}
	b.ReportMetric(time.Since(start).Seconds(), "streamed-s")
	b.ReportMetric(float64(res.Contacts), "contacts")
	b.ReportMetric(float64(rep.Imported), "dnc")
	b.ReportMetric(float64(res.Excluded), "excluded")
}
