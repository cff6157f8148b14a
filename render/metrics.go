package render

import "github.com/modelviz/modelviz/view"

// metrics are the text sizes and row heights view used when it sized the
// boxes; drawing with the same numbers keeps text inside them.
type metrics struct {
	LabelSize      float64 // op name in the header, bold
	RowSize        float64 // weight and attribute rows
	EdgeLabelSize  float64
	GroupLabelSize float64 // expanded group title, bold
	GroupLabelH    float64
	HeaderH        float64
	RowH           float64
	RowKeyGap      float64
	PadX           float64
}

func sceneMetrics() metrics {
	return metrics{
		LabelSize:      view.FontSize,
		RowSize:        view.RowFontSize,
		EdgeLabelSize:  view.EdgeFontSize,
		GroupLabelSize: view.FontSize,
		GroupLabelH:    view.GroupLabelHeight,
		HeaderH:        view.HeaderHeight,
		RowH:           view.RowHeight,
		RowKeyGap:      view.RowKeyGap,
		PadX:           view.PadX,
	}
}
