package lists

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/outdial/outdial/store"
)

// csvKind is what sets one kind of list apart when it is created from, or appended
// to with, a CSV file; createList and appendRows are the steps they share.
type csvKind struct {
	kind store.ListKind
	// manual kinds may be created without a file: empty, Validated, filled entry by entry.
	manual bool
	// checkColumns refuses a mapping the kind cannot import from a file with head.
	checkColumns func(m Mapping, head []string) error
	// importCSV streams src into l and records the import.
	importCSV func(ctx context.Context, l store.List, src source, opt ImportOptions) (Report, error)
	// reuseMapping: an append without a mapping uses the list's own when it fits the
	// file, and the file's automatic mapping otherwise.
	reuseMapping bool
	// settlesOnAppend says whether a good append marks a list not yet Validated as
	// Validated; nil never does.
	settlesOnAppend func(Report) bool
}

// resolveColumns checks that m resolves against head.
func resolveColumns(m Mapping, head []string) error {
	_, err := m.resolve(head)
	return err
}

// createList creates a list of kind k from r (nil: an empty manual list) and imports
// it; see CreateContactList.
func (s *Service) createList(ctx context.Context, k csvKind, n NewList, r io.Reader, opt ImportOptions) (store.List, Report, error) {
	if err := n.check(); err != nil {
		return store.List{}, Report{}, err
	}
	if err := s.checkListCount(ctx, k.kind); err != nil {
		return store.List{}, Report{}, err
	}
	if r == nil && !k.manual {
		return store.List{}, Report{}, fmt.Errorf("%w: a %s list is created from a CSV file; upload one", ErrBadFile, k.kind)
	}
	fromFile := r != nil
	var src *csvSource
	if fromFile {
		var err error
		if src, err = newCSVSource(r, s.limits.ListColumns); err != nil {
			return store.List{}, Report{}, err
		}
		opt.Mapping = opt.Mapping.withAuto(src.header())
		if err := k.checkColumns(opt.Mapping, src.header()); err != nil {
			return store.List{}, Report{}, err
		}
	}
	source, status := store.SourceCSV, store.ListValidating
	if !fromFile {
		source, status = store.SourceManual, store.ListValidated
	}
	l, err := s.st.CreateList(ctx, store.List{Kind: k.kind, Name: strings.TrimSpace(n.Name), Description: n.Description,
		Status: status, Source: source, Config: encodeConfig(listConfig{Mapping: opt.Mapping})})
	if err != nil || !fromFile {
		return l, Report{Errors: []RowError{}}, err
	}
	rep, ierr := k.importCSV(ctx, l, src, opt)
	l, err = s.settle(ctx, l.ID, rep, ierr, true)
	if ierr != nil {
		return l, rep, ierr
	}
	return l, rep, err
}

// appendRows imports the rows of r into the list listID of kind k; existing rows are
// never changed.
func (s *Service) appendRows(ctx context.Context, k csvKind, listID int64, r io.Reader, opt ImportOptions) (Report, error) {
	l, err := s.listOf(ctx, listID, k.kind)
	if err != nil {
		return Report{}, err
	}
	var cfg listConfig
	if k.reuseMapping {
		if cfg, err = decodeConfig(l); err != nil {
			return Report{}, err
		}
	}
	src, err := newCSVSource(r, s.limits.ListColumns)
	if err != nil {
		return Report{}, err
	}
	if k.reuseMapping && opt.Mapping.IsZero() {
		opt.Mapping = cfg.Mapping
		if _, err := opt.Mapping.resolve(src.header()); err != nil || opt.Mapping.IsZero() {
			opt.Mapping = AutoMapping(src.header())
		}
	} else {
		opt.Mapping = opt.Mapping.withAuto(src.header())
	}
	if err := k.checkColumns(opt.Mapping, src.header()); err != nil {
		return Report{}, err
	}
	rep, ierr := k.importCSV(ctx, l, src, opt)
	if ierr == nil && l.Status != store.ListValidated && k.settlesOnAppend != nil && k.settlesOnAppend(rep) {
		_, err = s.settle(ctx, l.ID, rep, nil, false)
	}
	if ierr != nil {
		return rep, ierr
	}
	return rep, err
}

// settle sets a list's status after an import into it.
func (s *Service) settle(ctx context.Context, id int64, rep Report, ierr error, created bool) (store.List, error) {
	l, err := s.st.ListByID(ctx, id)
	if err != nil {
		return l, err
	}
	switch {
	case ierr != nil && created:
		l.Status, l.Error = store.ListInvalid, ierr.Error()
	case rep.Status == store.ImportFailed && created:
		l.Status, l.Error = store.ListInvalid, rep.Error
	case rep.Imported == 0 && rep.Rejected > 0 && created:
		l.Status, l.Error = store.ListInvalid, fmt.Sprintf("all %d rows were rejected; see the import report", rep.Rejected)
	case ierr == nil && rep.Status == store.ImportCompleted:
		l.Status, l.Error = store.ListValidated, ""
	default:
		return l, nil
	}
	return s.st.UpdateList(ctx, l)
}

// rejectSink collects rejected rows for the report and the store.
type rejectSink struct {
	rep     *Report
	rows    []store.RejectedRow
	maxKept int
}

func (k *rejectSink) add(rec record, e RowError) {
	k.rep.Rejected++
	if len(k.rep.Errors) < maxReportErrors {
		k.rep.Errors = append(k.rep.Errors, e)
	}
	if len(k.rows) < k.maxKept {
		k.rows = append(k.rows, store.RejectedRow{Row: e.Row, Line: e.Line, Column: e.Column, Value: e.Value, Reason: e.Reason, Raw: rawCSV(rec.fields)})
	}
}

// screen is the first check of every row: a record that could not be read, a blank
// row, or a row of the wrong shape (checkShape).
func screen(rec record, head []string, maxChars int) (blank bool, err *RowError) {
	if rec.err != nil {
		return false, rec.err
	}
	if allEmpty(rec.fields) {
		return true, nil
	}
	return false, checkShape(rec, head, maxChars)
}

// nextValid returns the next row that passed validation, counting the rows read,
// blank and rejected into sink's report. At the end it returns io.EOF, or
// ErrRejected when strict and a row was rejected.
func (p *pipeline[T]) nextValid(sink *rejectSink, strict bool) (result[T], error) {
	for {
		res, err := p.next()
		if errors.Is(err, io.EOF) {
			if strict && sink.rep.Rejected > 0 {
				return res, ErrRejected
			}
			return res, io.EOF
		}
		if err != nil {
			return res, err
		}
		sink.rep.Rows++
		switch {
		case res.blank:
			sink.rep.Blank++
		case res.err != nil:
			sink.add(res.rec, *res.err)
		default:
			return res, nil
		}
	}
}

// closeImport records an import from source from that wrote (or failed to write)
// entries.
// accountLimit names the account-wide limit of a kind of list, for error messages.
func (s *Service) accountLimit(k store.ListKind) string {
	if k == store.ListDNC {
		return fmt.Sprintf("an account holds at most %d DNC entries (limits.dnc_entries_per_account)", s.limits.DNCEntriesPerAccount)
	}
	return fmt.Sprintf("an account holds at most %d contacts (limits.contacts_per_account)", s.limits.ContactsPerAccount)
}

func (s *Service) closeImport(ctx context.Context, l store.List, from store.ListSource, started time.Time, opt ImportOptions, werr error, rep *Report, sink *rejectSink) (Report, error) {
	imp := store.ListImport{ListID: l.ID, Source: from, FileName: opt.FileName, Strict: opt.Strict, Status: store.ImportCompleted, StartedAt: started}
	if errors.Is(werr, store.ErrCapacity) {
		// The store's commit-time check: another import filled the account meanwhile.
		werr = fmt.Errorf("%w: imports that ran at the same time filled the account first; %s; nothing of this file was written: %v",
			ErrLimit, s.accountLimit(l.Kind), werr)
	}
	if werr != nil {
		rep.Imported = 0
		imp.Status = store.ImportFailed
		if errors.Is(werr, ErrRejected) {
			rep.Error = fmt.Sprintf("%d of %d rows are invalid; strict mode imported nothing; fix the rows in the report and upload again", rep.Rejected, rep.Rows)
		} else {
			rep.Error = werr.Error()
		}
		imp.Error = rep.Error
	}
	imp.Rows, imp.Imported, imp.Rejected, imp.Duplicates = rep.Rows, rep.Imported, rep.Rejected, rep.Duplicates
	if err := s.finishImport(ctx, imp, sink.rows, rep); err != nil {
		return *rep, err
	}
	if werr != nil && !errors.Is(werr, ErrRejected) {
		return *rep, werr
	}
	return *rep, nil
}
