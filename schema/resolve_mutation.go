package schema

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
)

// writer returns who may write, or the error for a read-only request.
func (r *root) writer(ctx context.Context) (string, error) {
	if who, ok := Writer(ctx); ok {
		return who, nil
	}
	if ReadOnly(ctx) {
		return "", r.fail(graph.Errorf(graph.EFORBIDDEN, "this server is read-only: it was started without a write token"))
	}
	return "", r.fail(graph.Errorf(graph.EUNAUTHORIZED, "mutations need a write token: send Authorization: Bearer <token>"))
}

// apply writes one record. Errors name the field as the mutation's
// arguments do: argField maps a record field to an argument path.
func (r *root) apply(ctx context.Context, rec graph.Record, argField func(string) string) error {
	who, err := r.writer(ctx)
	if err != nil {
		return err
	}
	if _, err := r.svc.Apply(ctx, who, []graph.Record{rec}); err != nil {
		var ge *graph.Error
		if errors.As(err, &ge) && ge.Field != "" {
			e := *ge
			e.Field = argField(ge.Field)
			err = &e
		}
		return r.fail(err)
	}
	return nil
}

// inputField names a record field inside a mutation's input argument.
func inputField(f string) string { return "input." + f }

// retractField names the arguments of retractStatement, retractClaim,
// retractSource and setRank (key, reason), which take no input object.
func retractField(f string) string {
	if f == "statement" || f == "claim" || f == "source" {
		return "key"
	}
	return f
}

func optDate(field string, s *string) (graph.Date, error) {
	if s == nil || *s == "" {
		return graph.Date{}, nil
	}
	return graph.ParseDate(field, *s)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type entityInput struct {
	Key         string
	Kind        string
	Name        string
	Aliases     *[]string
	Description *string
}

func (r *root) UpsertEntity(ctx context.Context, args struct{ Input entityInput }) (*entityResolver, error) {
	if _, err := r.writer(ctx); err != nil { // before the input is examined
		return nil, err
	}
	in := args.Input
	e := &graph.Entity{Key: in.Key, Kind: graph.Kind(in.Kind), Name: in.Name, Description: deref(in.Description)}
	if in.Aliases != nil {
		e.Aliases = *in.Aliases
	}
	if err := r.apply(ctx, graph.Record{Type: graph.EntityRecord, Entity: e}, inputField); err != nil {
		return nil, err
	}
	got, err := r.svc.Entity(ctx, graph.View{}, in.Key)
	return r.entity(graph.View{}, got), r.fail(err)
}

type sourceInput struct {
	Key, URL, Title, Publisher, Author *string
	Kind                               *string
	Published, Retrieved               *string
	Text                               *string
	Restates                           *[]string
}

func (r *root) AddSource(ctx context.Context, args struct{ Input sourceInput }) (*sourceResolver, error) {
	if _, err := r.writer(ctx); err != nil { // before the input is examined
		return nil, err
	}
	in := args.Input
	s := &graph.Source{Key: deref(in.Key), URL: strings.TrimSpace(deref(in.URL)), Title: deref(in.Title), Publisher: deref(in.Publisher),
		Author: deref(in.Author), Kind: graph.SourceKind(strings.ToLower(deref(in.Kind))), Text: deref(in.Text)}
	if in.Restates != nil {
		s.Restates = *in.Restates
	}
	var err error
	if s.Published, err = optDate("input.published", in.Published); err != nil {
		return nil, r.fail(err)
	}
	if s.Retrieved, err = optDate("input.retrieved", in.Retrieved); err != nil {
		return nil, r.fail(err)
	}
	if s.Key == "" && s.URL != "" {
		if err := graph.ValidateURL("input.url", s.URL); err != nil {
			return nil, r.fail(err)
		}
		s.Key = graph.SourceKeyForURL(s.URL)
	}
	if err := r.apply(ctx, graph.Record{Type: graph.SourceRecord, Source: s}, inputField); err != nil {
		return nil, err
	}
	ss, err := r.svc.Sources(ctx, graph.View{}, []string{s.Key})
	if err != nil || ss[0] == nil {
		return nil, r.fail(err)
	}
	return newSource(r, graph.View{}, ss[0]), nil
}

type valueInput struct {
	Entity, Text, Unit, Currency, Date *string
	Amount, Lower, Upper               *float64
	Approximate, Boolean               *bool
}

// value converts a ValueInput: exactly one of its kinds.
func (in valueInput) value(field string) (graph.Value, error) {
	var v graph.Value
	n := 0
	if in.Entity != nil {
		v, n = graph.EntityRef(*in.Entity), n+1
	}
	if in.Text != nil {
		v, n = graph.Text(*in.Text), n+1
	}
	if in.Amount != nil {
		n++
		switch {
		case in.Unit != nil && in.Currency != nil:
			return v, graph.Invalid(field+".unit", graph.RBadValue, "an amount has a unit or a currency, not both")
		case in.Currency != nil:
			v = graph.Money(*in.Amount, *in.Currency)
		case in.Unit != nil:
			v = graph.Quantity(*in.Amount, *in.Unit)
		default:
			return v, graph.Invalid(field+".unit", graph.RMissing, "an amount needs a unit (quantity) or a currency (money)")
		}
	}
	if in.Date != nil {
		d, err := graph.ParseDate(field+".date", *in.Date)
		if err != nil {
			return v, err
		}
		v, n = graph.DateOf(d), n+1
	}
	if in.Boolean != nil {
		v, n = graph.Bool(*in.Boolean), n+1
	}
	if n != 1 {
		return v, graph.Invalid(field, graph.RBadValue, "give exactly one of entity, text, amount, date, boolean")
	}
	v.Lower, v.Upper = in.Lower, in.Upper
	v.Approximate = in.Approximate != nil && *in.Approximate
	return v, nil
}

type referenceInput struct {
	Source       string
	Quote        *string
	Section      *string
	Page         *int32
	Retrieved    *string
	ImportedFrom *string
	Unverified   *bool
}

func (in referenceInput) reference(field string) (graph.Reference, error) {
	ref := graph.Reference{Source: in.Source, Quote: deref(in.Quote), ImportedFrom: deref(in.ImportedFrom),
		Unverified: in.Unverified != nil && *in.Unverified}
	ref.Locator.Section = deref(in.Section)
	if in.Page != nil {
		ref.Locator.Page = int(*in.Page)
	}
	var err error
	ref.Retrieved, err = optDate(field+".retrieved", in.Retrieved)
	return ref, err
}

type statementInput struct {
	Subject     string
	Predicate   string
	Object      valueInput
	ValidFrom   *string
	ValidTo     *string
	PointInTime *string
	Qualifiers  *[]struct{ Name, Value string }
	Rank        *string
	References  *[]referenceInput
}

func (r *root) AddStatement(ctx context.Context, args struct{ Input statementInput }) (*statementResolver, error) {
	if _, err := r.writer(ctx); err != nil { // before the input is examined
		return nil, err
	}
	in := args.Input
	st, err := in.statement()
	if err != nil {
		return nil, r.fail(err)
	}
	if err := r.apply(ctx, graph.Record{Type: graph.StatementRecord, Statement: st}, inputField); err != nil {
		return nil, err
	}
	ss, err := r.svc.Statements(ctx, graph.View{}, []string{st.Key})
	if err != nil {
		return nil, r.fail(err)
	}
	return r.statement(graph.View{}, ss[0]), nil
}

func (in statementInput) statement() (*graph.Statement, error) {
	st := &graph.Statement{Subject: in.Subject, Predicate: in.Predicate}
	var err error
	if st.Object, err = in.Object.value("input.object"); err != nil {
		return nil, err
	}
	q := &st.Qualifiers
	if q.ValidFrom, err = optDate("input.validFrom", in.ValidFrom); err != nil {
		return nil, err
	}
	if q.ValidTo, err = optDate("input.validTo", in.ValidTo); err != nil {
		return nil, err
	}
	if q.PointInTime, err = optDate("input.pointInTime", in.PointInTime); err != nil {
		return nil, err
	}
	if in.Qualifiers != nil {
		for _, qu := range *in.Qualifiers {
			if q.Extra == nil {
				q.Extra = map[string]string{}
			}
			if _, dup := q.Extra[qu.Name]; dup {
				return nil, graph.Invalid("input.qualifiers", graph.RBadValue, "qualifier %q given twice", qu.Name)
			}
			q.Extra[qu.Name] = qu.Value
		}
	}
	if in.Rank != nil {
		st.Rank = graph.Rank(strings.ToLower(*in.Rank))
	}
	if in.References != nil {
		for i, ri := range *in.References {
			ref, err := ri.reference(fmt.Sprintf("input.references[%d]", i))
			if err != nil {
				return nil, err
			}
			st.References = append(st.References, ref)
		}
	}
	// ValidateShape derives the key; apply runs it again with the store.
	if err := st.ValidateShape(); err != nil {
		var ge *graph.Error
		if errors.As(err, &ge) && ge.Field != "" {
			e := *ge
			e.Field = "input." + ge.Field
			return nil, &e
		}
		return nil, err
	}
	return st, nil
}

type claimInput struct {
	Key       string
	Claimant  string
	Stated    *string
	Modality  *string
	Text      string
	Reference referenceInput
	About     *[]string
	Value     *struct {
		Amount       float64
		Unit         *string
		Currency     *string
		Lower, Upper *float64
		Approximate  *bool
		Condition    *string
	}
	Links *[]struct {
		Relation         string
		Statement, Claim *string
	}
}

func (r *root) AddClaim(ctx context.Context, args struct{ Input claimInput }) (*claimResolver, error) {
	if _, err := r.writer(ctx); err != nil { // before the input is examined
		return nil, err
	}
	in := args.Input
	c := &graph.Claim{Key: in.Key, Claimant: in.Claimant, Modality: graph.Modality(strings.ToLower(deref(in.Modality))), Text: in.Text}
	var err error
	if c.Stated, err = optDate("input.stated", in.Stated); err != nil {
		return nil, r.fail(err)
	}
	if c.Reference, err = in.Reference.reference("input.reference"); err != nil {
		return nil, r.fail(err)
	}
	if in.About != nil {
		c.About = *in.About
	}
	if v := in.Value; v != nil {
		c.Value = &graph.ClaimValue{Amount: v.Amount, Unit: deref(v.Unit), Currency: deref(v.Currency), Lower: v.Lower, Upper: v.Upper,
			Approximate: v.Approximate != nil && *v.Approximate, Condition: deref(v.Condition)}
	}
	if in.Links != nil {
		for _, l := range *in.Links {
			c.Links = append(c.Links, graph.ClaimLink{Relation: graph.LinkRelation(strings.ToLower(l.Relation)), Statement: deref(l.Statement), Claim: deref(l.Claim)})
		}
	}
	if err := r.apply(ctx, graph.Record{Type: graph.ClaimRecord, Claim: c}, inputField); err != nil {
		return nil, err
	}
	cs, err := r.svc.Claims(ctx, graph.View{}, []string{c.Key})
	if err != nil {
		return nil, r.fail(err)
	}
	return r.claim(graph.View{}, cs[0]), nil
}

type retractArgs struct {
	Key    string
	Reason string
}

func (r *root) RetractStatement(ctx context.Context, a retractArgs) (*statementResolver, error) {
	if err := r.apply(ctx, graph.Record{Type: graph.RetractRecord, Retract: &graph.Retract{Statement: a.Key, Reason: a.Reason}}, retractField); err != nil {
		return nil, err
	}
	ss, err := r.svc.Statements(ctx, graph.View{}, []string{a.Key})
	if err != nil {
		return nil, r.fail(err)
	}
	return r.statement(graph.View{}, ss[0]), nil
}

func (r *root) RetractClaim(ctx context.Context, a retractArgs) (*claimResolver, error) {
	if err := r.apply(ctx, graph.Record{Type: graph.RetractRecord, Retract: &graph.Retract{Claim: a.Key, Reason: a.Reason}}, retractField); err != nil {
		return nil, err
	}
	cs, err := r.svc.Claims(ctx, graph.View{}, []string{a.Key})
	if err != nil {
		return nil, r.fail(err)
	}
	return r.claim(graph.View{}, cs[0]), nil
}
