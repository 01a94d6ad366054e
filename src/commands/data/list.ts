import {relative} from 'node:path'

import {BaseCommand} from '../../cli/base-command.js'
import {rickHome} from '../../foundation/paths.js'
import {renderDatasets} from '../../sectors/data/format.js'
import {listDatasets, storeDir, type DatasetInfo} from '../../sectors/data/store.js'

export interface DataListResult {
  dir: string
  datasets: DatasetInfo[]
}

export default class DataList extends BaseCommand {
  static override summary = 'List the imported datasets: bars, time range, period, size and sha256.'

  static override description = [
    'One row per instrument in <rickHome>/data (RICK_HOME, else .rick/ of the project). The sha256 is what a backtest on the dataset journals, so a run can be tied to the exact bars it read.',
    'Exit codes: 0 listed (also when there are none), 1 a dataset file is unreadable.',
  ].join('\n\n')

  static override examples = [
    {description: 'Datasets of the project', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Bars per instrument, as JSON', command: "<%= config.bin %> <%= command.id %> --json | jq '.datasets[] | {instrument, bars}'"},
    {description: 'Datasets of another rick home', command: 'RICK_HOME=/srv/rick <%= config.bin %> <%= command.id %>'},
  ]

  static override enableJsonFlag = true

  async run(): Promise<DataListResult> {
    await this.parse(DataList)
    const home = rickHome()
    const datasets = listDatasets({home})
    const dir = storeDir({home})
    if (!this.jsonEnabled()) this.log(renderDatasets(datasets, relative(process.cwd(), dir) || dir))
    return {dir, datasets}
  }
}
