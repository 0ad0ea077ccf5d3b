package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// runLists implements "outdial lists import FILE.csv --name N": it streams the file
// to a running server's API as a multipart upload, with a progress bar on errOut.
func runLists(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(errOut, "usage: outdial lists import FILE.csv --name NAME [--kind contact|dnc|mapping] [--server URL] [--token TOKEN] [--strict] [--allow-duplicates] [--map header=field ...]")
		return fmt.Errorf("%w: the only subcommand is import", errUsage)
	}
	fs := flag.NewFlagSet("lists import", flag.ContinueOnError)
	fs.SetOutput(errOut)
	name := fs.String("name", "", "name of the new list (required)")
	desc := fs.String("description", "", "description of the new list")
	kind := fs.String("kind", "contact", "list kind: contact, dnc or mapping")
	server := fs.String("server", envOr("OUTDIAL_SERVER", "http://127.0.0.1:8080"), "server URL (env OUTDIAL_SERVER)")
	token := fs.String("token", os.Getenv("OUTDIAL_TOKEN"), "API token of a manager (env OUTDIAL_TOKEN)")
	strict := fs.Bool("strict", false, "reject the whole file, writing nothing, if any row is bad")
	dups := fs.Bool("allow-duplicates", false, "keep rows whose number is already in the list")
	var maps multiFlag
	fs.Var(&maps, "map", "map a column to a field: header=phone|first_name|last_name|time_zone|priority|agent|expires (repeatable; phone in dialing order)")
	var files []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 || *name == "" {
		return fmt.Errorf("%w: give exactly one FILE.csv and --name", errUsage)
	}
	path := map[string]string{"contact": "contact-lists", "dnc": "dnc-lists", "mapping": "agent-mapping-lists"}[*kind]
	if path == "" {
		return fmt.Errorf("%w: --kind %q: use contact, dnc or mapping", errUsage, *kind)
	}
	if *token == "" {
		return fmt.Errorf("%w: --token (or OUTDIAL_TOKEN) is required; create one with outdial tokens create", errUsage)
	}
	for _, m := range maps {
		if !strings.Contains(m, "=") {
			return fmt.Errorf("%w: --map %q: write header=field", errUsage, m)
		}
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}

	fields := [][2]string{{"name", *name}, {"description", *desc}, {"strict", fmt.Sprint(*strict)}, {"allow_duplicates", fmt.Sprint(*dups)}}
	for _, m := range maps {
		fields = append(fields, [2]string{"map", m})
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	progress := &countingReader{r: f}
	go func() {
		err := func() error {
			for _, kv := range fields {
				if err := mw.WriteField(kv[0], kv[1]); err != nil {
					return err
				}
			}
			part, err := mw.CreateFormFile("file", filepath.Base(files[0]))
			if err != nil {
				return err
			}
			if _, err := io.Copy(part, progress); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(*server, "/")+"/api/v1/"+path, pr)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+*token)

	done := make(chan struct{})
	bar := make(chan struct{})
	go func() {
		defer close(bar)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				drawProgress(errOut, progress.n.Load(), st.Size(), true)
				return
			case <-t.C:
				drawProgress(errOut, progress.n.Load(), st.Size(), false)
			}
		}
	}()
	resp, err := http.DefaultClient.Do(req)
	close(done)
	<-bar
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code, Message, Field string }
		}
		if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
			return fmt.Errorf("server refused the file (%d %s): %s", resp.StatusCode, e.Error.Code, e.Error.Message)
		}
		return fmt.Errorf("server answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var res struct {
		List struct {
			ID      int64  `json:"id"`
			Name    string `json:"name"`
			Status  string `json:"status"`
			Entries int64  `json:"entries"`
		} `json:"list"`
		Report struct {
			ImportID   int64  `json:"import_id"`
			Status     string `json:"status"`
			Rows       int64  `json:"rows"`
			Imported   int64  `json:"imported"`
			Rejected   int64  `json:"rejected"`
			Duplicates int64  `json:"duplicates"`
			Error      string `json:"error"`
			Errors     []struct {
				Row    int64  `json:"row"`
				Column string `json:"column"`
				Reason string `json:"reason"`
			} `json:"errors"`
		} `json:"report"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return fmt.Errorf("reading the server's answer: %w", err)
	}
	r := res.Report
	fmt.Fprintf(out, "list %d %q: %s, %d entries; this file: %d rows, %d imported, %d rejected, %d duplicates\n",
		res.List.ID, res.List.Name, res.List.Status, res.List.Entries, r.Rows, r.Imported, r.Rejected, r.Duplicates)
	for i, e := range r.Errors {
		if i == 10 {
			fmt.Fprintf(errOut, "... %d more\n", r.Rejected-10)
			break
		}
		if e.Column != "" {
			fmt.Fprintf(errOut, "row %d, column %s: %s\n", e.Row, e.Column, e.Reason)
		} else {
			fmt.Fprintf(errOut, "row %d: %s\n", e.Row, e.Reason)
		}
	}
	if r.Rejected > 0 {
		fmt.Fprintf(errOut, "rejected rows: %s/api/v1/list-imports/%d/rejected.csv\n", strings.TrimRight(*server, "/"), r.ImportID)
	}
	if r.Status == "failed" {
		return fmt.Errorf("nothing was imported: %s", r.Error)
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func drawProgress(w io.Writer, done, total int64, last bool) {
	const width = 30
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	filled := int(frac * width)
	fmt.Fprintf(w, "\r[%s%s] %3.0f%% %.1f/%.1f MB", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), frac*100,
		float64(done)/(1<<20), float64(total)/(1<<20))
	if last {
		fmt.Fprintln(w)
	}
}
